import {describe, expect, it} from 'vitest';
import type {UserStack} from '../../source/runtime/caller.js';
import {StackSamples} from '../../source/runtime/stack-samples.js';

const read = (fn: string, loc: string, more: Partial<UserStack> = {}): UserStack => ({frames: [{fn, loc}], inOwnCode: false, loading: false, module: null, callee: null, library: null, ...more});
const inLibrary = (fn: string, loc: string): UserStack => ({frames: [], inOwnCode: false, loading: false, module: null, callee: null, library: {fn, loc}});

describe('the reads of a block\'s stack', () => {
	it('tell the first read at once, then the place most reads found as it takes the lead, with their count', () => {
		const samples = new StackSamples();
		expect(samples.add(read('parse', 'app.ts:2:3'))).toEqual({stack: read('parse', 'app.ts:2:3')});
		// As many reads in render() as in parse(): the first found still leads.
		expect(samples.add(read('render', 'app.ts:9:1'))).toBeNull();
		// render() leads now (the same function of the same file, at another line, is the same place): its latest read is told.
		expect(samples.add(read('render', 'app.ts:9:7'))).toEqual({stack: read('render', 'app.ts:9:7'), samples: {same: 2, of: 3}});
		expect(samples.add(read('render', 'app.ts:9:2'))).toBeNull();
		expect(samples.final()).toEqual({stack: read('render', 'app.ts:9:2'), samples: {same: 3, of: 4}});
		// Told: nothing more.
		expect(samples.final()).toBeNull();
	});

	it("count a library's file as one place, whichever of its functions a read landed in; a single read has no count to tell", () => {
		const samples = new StackSamples();
		samples.add(inLibrary('scanNumber', 'node_modules/typescript/lib/_tsc.js:8837:5'));
		expect(samples.final()).toBeNull();
		expect(samples.add(inLibrary('parseTypeParameter', 'node_modules/typescript/lib/_tsc.js:30758:9'))).toBeNull();
		expect(samples.final()).toMatchObject({samples: {same: 2, of: 2}});
	});

	it("tell a call of Node's the function was in apart from the function's own code: the place the advice is for", () => {
		const samples = new StackSamples();
		samples.add(read('validate', 'app.js:6:40', {callee: {fn: 'test', loc: 'RegExp'}}));
		samples.add(read('validate', 'app.js:6:40', {callee: {fn: 'test', loc: 'RegExp'}}));
		expect(samples.add(read('validate', 'app.js:6:52'))).toBeNull();
		expect(samples.final()).toEqual({stack: read('validate', 'app.js:6:40', {callee: {fn: 'test', loc: 'RegExp'}}), samples: {same: 3, of: 3}});
	});

	it('tell module loading apart from running the same file', () => {
		const samples = new StackSamples();
		samples.add(read('main', 'app.js:3:1', {loading: true, module: null}));
		expect(samples.add(read('main', 'app.js:3:1'))).toBeNull();
		expect(samples.add(read('main', 'app.js:5:1'))).toMatchObject({stack: {loading: false}, samples: {same: 2, of: 3}});
	});
});
