import {execFileSync} from 'node:child_process';
import {chmodSync, linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {OutputFileError, writePrivateFile} from '../../source/sessions/private-file.js';
import {tempDir} from '../helpers/temp.js';

describe('private output files', () => {
	it('are created 0600, and an existing file of one’s own is emptied and made 0600', () => {
		const directory = tempDir();
		const fresh = join(directory, 'new.md');
		writePrivateFile(fresh, 'report', 'report');
		expect(statSync(fresh).mode & 0o777).toBe(0o600);
		const existing = join(directory, 'old.md');
		writeFileSync(existing, 'a much longer previous content');
		chmodSync(existing, 0o644);
		writePrivateFile(existing, 'new', 'report');
		expect(readFileSync(existing, 'utf8')).toBe('new');
		expect(statSync(existing).mode & 0o777).toBe(0o600);
	});

	it('refuse a symbolic link, and leave the file behind it as it was', () => {
		const directory = tempDir();
		const victim = join(directory, 'victim');
		writeFileSync(victim, 'precious');
		chmodSync(victim, 0o644);
		symlinkSync(victim, join(directory, 'session.ndjson'));
		expect(() => writePrivateFile(join(directory, 'session.ndjson'), 'x', 'recording')).toThrow(
			new OutputFileError(`cannot write the recording '${join(directory, 'session.ndjson')}': it is a symbolic link, which asyncmon does not write through`),
		);
		expect(readFileSync(victim, 'utf8')).toBe('precious');
		expect(statSync(victim).mode & 0o777).toBe(0o644);
	});

	it('refuse a second name of another file, a FIFO, a directory and a missing directory, each in one line', () => {
		const directory = tempDir();
		const victim = join(directory, 'victim');
		writeFileSync(victim, 'precious');
		linkSync(victim, join(directory, 'hard'));
		execFileSync('mkfifo', [join(directory, 'fifo')]);
		mkdirSync(join(directory, 'folder'));
		const reasons = ['hard', 'fifo', 'folder', 'missing/x'].map(name => {
			try {
				writePrivateFile(join(directory, name), 'x', 'report');
				return 'written';
			} catch (error) {
				return (error as Error).message.split(': ').at(-1);
			}
		});
		expect(reasons).toEqual(['it has other hard links', 'it is not a regular file', 'it is a directory', 'its directory does not exist']);
		expect(readFileSync(victim, 'utf8')).toBe('precious');
	});
});
