import {execFileSync} from 'node:child_process';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';

const MODULE = pathToFileURL(fileURLToPath(new URL('../../source/monitor/heap-growth.ts', import.meta.url))).href;

/**
 * The growth factor V8 applied at a full collection, as its verbose GC trace states it: Node 22's V8 at the end of
 * its limit line (`[HeapController] Limit: old size: …, new limit: … (1.5)`; its factor line gives the factor before
 * the flag), Node 24's in its factor line (`[HeapController] factor 1.5 based on …`).
 */
function factorAfterFullCollection(limited: boolean): number {
	const limit = `import {limitHeapGrowth} from ${JSON.stringify(MODULE)}; limitHeapGrowth();`;
	const imports = limited ? ['--import', `data:text/javascript,${encodeURIComponent(limit)}`] : [];
	const allocate = 'const kept = []; for (let i = 0; i < 300000; i++) kept.push({i}); gc();';
	const trace = execFileSync(process.execPath, ['--expose-gc', '--trace-gc-verbose', ...imports, '-e', allocate], {encoding: 'utf8'});
	const factor = (/\[HeapController\] Limit: .*\(([\d.]+)\)/.exec(trace) ?? /\[HeapController\] factor ([\d.]+)/.exec(trace))?.[1];
	if (factor === undefined) throw new Error(`no factor in V8's trace:\n${trace.slice(0, 2000)}`);
	return Number(factor);
}

describe("the monitor limits its old generation's growth", () => {
	it('to 1.5 times what survived a full collection, where V8 alone lets it grow up to four times', () => {
		expect(factorAfterFullCollection(false)).toBeGreaterThan(1.5);
		expect(factorAfterFullCollection(true)).toBe(1.5);
	});
});
