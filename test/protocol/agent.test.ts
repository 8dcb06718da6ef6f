import {chmodSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {agentDirectory, agentFiles, loopbackAddress, makePrivateDirectory, writePrivateFile} from '../../source/protocol/agent.js';
import {tempDir} from '../helpers/temp.js';

describe("the agents' directory", () => {
	it('is under $XDG_RUNTIME_DIR, else the temporary directory, one per user', () => {
		expect(agentDirectory({XDG_RUNTIME_DIR: '/run/user/1000'}, 1000)).toBe('/run/user/1000/asyncmon-1000');
		expect(agentDirectory({}, 1000)).toMatch(/\/asyncmon-1000$/);
		expect(agentFiles('/d', 7)).toEqual({socket: '/d/7.sock', meta: '/d/7.json', token: '/d/7.token'});
	});

	it('is made 0700; one of the user that others may only read is tightened; one others may write, or a symlink, is refused', () => {
		const base = tempDir();
		const made = join(base, 'made');
		expect(makePrivateDirectory(made)).toBeNull();
		expect(statSync(made).mode & 0o777).toBe(0o700);
		const readable = join(base, 'readable');
		mkdirSync(readable);
		chmodSync(readable, 0o755);
		expect(makePrivateDirectory(readable)).toBeNull();
		expect(statSync(readable).mode & 0o777).toBe(0o700);
		const writable = join(base, 'writable');
		mkdirSync(writable);
		chmodSync(writable, 0o775);
		expect(makePrivateDirectory(writable)).toBe(`${writable} is writable by others`);
		const link = join(base, 'link');
		symlinkSync(made, link);
		expect(makePrivateDirectory(link)).toBe(`${link} is a symbolic link`);
		const file = join(base, 'file');
		writeFileSync(file, '');
		expect(makePrivateDirectory(file)).toBe(`${file} is not a directory`);
	});

	it('files are written 0600, afresh, never through a symlink', () => {
		const base = tempDir();
		const path = join(base, '1.token');
		writePrivateFile(path, 'secret\n');
		expect(statSync(path).mode & 0o777).toBe(0o600);
		const target = join(base, 'target');
		writeFileSync(target, 'theirs');
		const link = join(base, '2.token');
		symlinkSync(target, link);
		writePrivateFile(link, 'secret\n');
		expect(readFileSync(target, 'utf8')).toBe('theirs');
		expect(readFileSync(link, 'utf8')).toBe('secret\n');
	});
});

describe('loopbackAddress', () => {
	it('takes loopback addresses only', () => {
		expect(loopbackAddress('127.0.0.1:7000')).toEqual({host: '127.0.0.1', port: 7000});
		expect(loopbackAddress('[::1]:7000')).toEqual({host: '::1', port: 7000});
		expect(loopbackAddress('localhost:7000')).toEqual({host: 'localhost', port: 7000});
		expect(loopbackAddress('0.0.0.0:7000')).toBe('0.0.0.0 is not a loopback address (use 127.0.0.1)');
		expect(loopbackAddress('10.0.0.5:7000')).toBe('10.0.0.5 is not a loopback address (use 127.0.0.1)');
		expect(loopbackAddress('7000')).toBe("'7000' is not host:port");
		expect(loopbackAddress('127.0.0.1:99999')).toBe("'127.0.0.1:99999' has no valid port");
	});
});
