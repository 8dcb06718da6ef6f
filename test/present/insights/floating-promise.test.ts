import {describe, expect, it} from 'vitest';
import {floatingPromiseMessage} from '../../../source/present/insights/floating-promise.js';

const ADVICE = 'nothing waits for it or handles its errors. Await it, return it, or write `void` before the call if running it in the background is intended';
/** At the top level: nothing to return it to, and CommonJS cannot await there. */
const TOP_LEVEL_ADVICE = 'nothing waits for it or handles its errors. Add .catch() to handle them (or await it, in an ES module), or write `void` before the call if running it in the background is intended';

describe('floating-promise in words', () => {
	it('names the dropped task, where it was called and by whom', () => {
		expect(floatingPromiseMessage({kind: 'floating-promise', task: {name: 'save(1)', failed: false}, callerName: 'main()', site: 'app.ts:6:2', taskIds: [2]})).toBe(
			`save(1) was called without await at app.ts:6 in main(): ${ADVICE}`,
		);
	});

	it('says when the dropped task failed, and makes do without its name; at the top level, a .catch() handles it', () => {
		expect(floatingPromiseMessage({kind: 'floating-promise', task: {name: 'save(1)', failed: true}, callerName: null, site: 'app.ts:6:2', taskIds: [2]})).toBe(
			`save(1) was called without await at app.ts:6 (it failed, and nothing handled it): ${TOP_LEVEL_ADVICE}`,
		);
		expect(floatingPromiseMessage({kind: 'floating-promise', task: null, callerName: null, site: 'app.ts:6:2', taskIds: []})).toBe(
			`an async function was called without await at app.ts:6: ${TOP_LEVEL_ADVICE}`,
		);
	});

	it('says when its process (a followed one) ended before it settled, not that it failed', () => {
		expect(floatingPromiseMessage({kind: 'floating-promise', task: {name: 'tick()', failed: false, cutShort: true}, callerName: null, site: 'child.js:3:1', taskIds: [2]})).toBe(
			`tick() was called without await at child.js:3 (its process or thread ended before it settled): ${TOP_LEVEL_ADVICE}`,
		);
	});
});
