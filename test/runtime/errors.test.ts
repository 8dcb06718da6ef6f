import {runInNewContext} from 'node:vm';
import {describe, expect, it} from 'vitest';
import {describeError, firstUserFrame} from '../../source/runtime/errors.js';
import {REDACTED} from '../../source/protocol/redaction.js';

describe("an error's location", () => {
	it("is the first frame in the user's own files, relative to the working directory", () => {
		const stack = [
			'Error: boom',
			'    at Object.getPackageJSONURL (node:internal/modules/package_json_reader:331:9)',
			'    at helper (/app/node_modules/lib/index.js:3:1)',
			'    at inner (/opt/asyncmon/dist/preload.js:10:2)',
			'    at load (file:///app/src/load.ts:12:5)',
		].join('\n');
		expect(firstUserFrame(stack, '/app', '/opt/asyncmon/dist')).toBe('src/load.ts:12:5');
	});

	it('is unknown when no frame is the user\'s', () => {
		expect(firstUserFrame('Error: x\n    at Object.run (node:internal/modules/run_main:1:1)', '/app', '/opt/asyncmon/dist')).toBeUndefined();
	});
});

describe('an error as recorded', () => {
	it('has URL credentials and secret query values redacted from its message and stack', () => {
		const error = new TypeError('Request cannot be constructed from a URL that includes credentials: http://bob:fetchpw77@127.0.0.1:9/');
		const info = describeError(error, '/app', '/opt/asyncmon/dist');
		expect(info.message).toBe(`Request cannot be constructed from a URL that includes credentials: http://${REDACTED}:${REDACTED}@127.0.0.1:9/`);
		expect(info.stack).toContain(info.message);
		expect(JSON.stringify(info)).not.toContain('fetchpw77');
		expect(describeError(new Error('GET /x?token=abc failed'), '/app', '/opt').message).toBe(`GET /x?token=${REDACTED} failed`);
	});

	it('is a string even when what was thrown is not an Error', () => {
		expect(describeError('see http://u:p@h/', '/app', '/opt')).toEqual({name: 'string', message: `see http://${REDACTED}:${REDACTED}@h/`});
		const odd = Object.assign(new Error('x'), {message: 42});
		expect(describeError(odd, '/app', '/opt').message).toBe('42');
	});
});

describe('a thrown value that is no Error', () => {
	it('is inspected as node shows it, in one bounded line, properties named like a secret hidden', () => {
		expect(describeError({code: 42, nested: {list: [1, 2]}}, '/app', '/opt')).toEqual({name: 'object', message: '{ code: 42, nested: { list: [ 1, 2 ] } }'});
		expect(describeError(null, '/app', '/opt')).toEqual({name: 'object', message: 'null'});
		expect(describeError(7, '/app', '/opt')).toEqual({name: 'number', message: '7'});
		expect(describeError({user: 'ann', apiKey: 'k-123', url: 'http://u:p@h/'}, '/app', '/opt').message).toBe(`{ user: 'ann', apiKey: ${REDACTED}, url: 'http://${REDACTED}:${REDACTED}@h/' }`);
		const big = describeError({list: Array.from({length: 1000}, (_, i) => i), deep: {a: {b: {c: {d: 1}}}}}, '/app', '/opt').message;
		expect(big).not.toContain('\n');
		expect(big).toContain('... 990 more items');
		expect(big).toContain('deep: { a: { b: [Object] } }');
	});

	it("is what String() makes of it when its own inspection throws", () => {
		const odd = {[Symbol.for('nodejs.util.inspect.custom')]: () => {
			throw new Error('no');
		}, toString: () => 'odd one'};
		expect(describeError(odd, '/app', '/opt')).toEqual({name: 'object', message: 'odd one'});
	});

	it("runs none of the script's traps, and survives its getters that throw", () => {
		const {proxy: revoked, revoke} = Proxy.revocable({}, {});
		revoke();
		const seen: string[] = [];
		const watched = new Proxy(new Error('inside'), {getPrototypeOf: target => (seen.push('getPrototypeOf'), Reflect.getPrototypeOf(target)), get: (target, key) => (seen.push(String(key)), Reflect.get(target, key))});
		expect(describeError(revoked, '/app', '/opt')).toEqual({name: 'object', message: '<Revoked Proxy>'});
		expect(describeError(watched, '/app', '/opt').message).toMatch(/^Error: inside at /);
		expect(seen).toEqual([]);
		const throwing = Object.defineProperty(new Error('m'), 'message', {get: () => { throw new Error('message getter'); }});
		expect(describeError(throwing, '/app', '/opt')).toMatchObject({name: 'Error', message: 'undefined'});
		expect(describeError(new Error('outer', {cause: revoked}), '/app', '/opt').cause).toEqual({name: 'object', message: '<Revoked Proxy>'});
	});

	it('is an Error when it is one of another realm (a vm context)', () => {
		const foreign: unknown = runInNewContext("new RangeError('out of range')");
		expect(foreign instanceof Error).toBe(false);
		expect(describeError(foreign, '/app', '/opt')).toMatchObject({name: 'RangeError', message: 'out of range'});
	});
});

describe("an error's causes", () => {
	const causes = (error: unknown): string[] => {
		const names: string[] = [];
		for (let info = describeError(error, '/app', '/opt').cause; info; info = info.cause) names.push(`${info.name}: ${info.message}`);
		return names;
	};

	it('are recorded down the chain, each redacted as its error is', () => {
		const root = new RangeError('7 is out of range');
		const error = new Error('login failed', {cause: new TypeError('fetch http://bob:pw1@host/ failed', {cause: root})});
		expect(causes(error)).toEqual([`TypeError: fetch http://${REDACTED}:${REDACTED}@host/ failed`, 'RangeError: 7 is out of range']);
		expect(describeError(error, '/app', '/opt').cause!.stack).toContain('TypeError: fetch');
		// A cause that is no Error is said as a value.
		expect(causes(new Error('x', {cause: 'timeout'}))).toEqual(['string: timeout']);
	});

	it('stop at a cycle, at a few deep, and at a cause that cannot be read', () => {
		const a = new Error('a');
		const b = new Error('b', {cause: a});
		(a as {cause?: unknown}).cause = b;
		expect(causes(a)).toEqual(['Error: b']);
		let deep: Error = new Error('0');
		for (let i = 1; i <= 10; i++) deep = new Error(String(i), {cause: deep});
		expect(causes(deep)).toEqual(['Error: 9', 'Error: 8', 'Error: 7', 'Error: 6']);
		const hostile = new Error('h');
		Object.defineProperty(hostile, 'cause', {get: () => { throw new Error('no'); }});
		expect(describeError(hostile, '/app', '/opt')).not.toHaveProperty('cause');
		expect(describeError(new Error('plain'), '/app', '/opt')).not.toHaveProperty('cause');
	});
});
