import {writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {recordRun} from '../helpers/recorded.js';
import {runCli, SCRIPTS} from '../helpers/run-cli.js';
import {tempFile, unreadableFile} from '../helpers/temp.js';
import {originalPositionFor, TraceMap} from '@jridgewell/trace-mapping';
import MagicString from 'magic-string';
import {instrumentEvaluated, type HookOptions} from '../../source/runtime/hooks.js';
import {SiteTable} from '../../source/runtime/site-table.js';
import {splitInlineMap} from '../../source/runtime/vitest-evaluator.js';
import {unmarked} from '../helpers/unmarked.js';

describe('the files node runs, asyncmon runs', () => {
	it('an entry with an extension Node does not know runs as CommonJS, as under node', async () => {
		const {node, asyncmon} = await underNodeAndAsyncmon('unknown-extension.sh', [], join(SCRIPTS, 'commonjs-package'));
		expect(node).toEqual({code: 0, stdout: 'ran as CommonJS: function\n', stderr: ''});
		expect(asyncmon).toEqual(node);
	});

	it('an unreadable script is a load error: said in one line, no rejection', async () => {
		const script = unreadableFile('unreadable.mjs', join(SCRIPTS, 'gather.ts'));
		const result = await runCli(['--plain', script]);
		expect(result.code).toBe(1);
		// On stderr, as node says it.
		expect(result.stderr).toMatch(/^asyncmon: error in \S*(unreadable\.mjs|compact_memory): EACCES: permission denied/m);
		expect(result.stdout + result.stderr).not.toMatch(/unhandled rejection|\.catch\(\)/i);
	});
});

describe('a file too large to instrument', () => {
	it('loads uninstrumented, with a notice naming it and its size: shown, recorded, and quick', async () => {
		const script = tempFile('huge.mjs');
		const padding = `// ${'x'.repeat(100)}\n`.repeat(21_000);
		writeFileSync(script, `async function main() {\n\tawait null;\n\tconsole.log('ran uninstrumented');\n}\nmain();\n${padding}`);
		const started = Date.now();
		const {result, state, report} = await recordRun(['huge.mjs'], {cwd: dirname(script)});
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('ran uninstrumented');
		const notice = 'huge.mjs is 2.1 MB, over the 2.0 MB asyncmon instruments: it runs uninstrumented, and its async functions are not tasks';
		expect(result.stderr).toBe(`asyncmon: ${notice}\n`);
		expect(state.notices).toEqual([notice]);
		// Its top level is still the script's root task, which ends; its functions are no tasks.
		expect(report.tasks.map(task => [task.kind, task.state])).toEqual([['script', 'finished']]);
	});
});

describe("a module vitest's runner evaluates, instrumented", () => {
	// A test file as vite's SSR transform hands it to vitest's evaluator: its import an await of the runner's, and its map.
	const original = "import {it} from 'vitest';\nit('waits', async () => {\n\tawait check(1);\n});\n";
	const vite = new MagicString(original);
	vite.overwrite(0, 26, 'const __vite_ssr_import_0__ = await __vite_ssr_import__("vitest");');
	vite.overwrite(27, 29, '(0,__vite_ssr_import_0__.it)');
	const viteCode = vite.toString();
	const viteMap = vite.generateMap({hires: 'boundary', source: 'waits.spec.mjs', includeContent: true}).toString();

	function instrumented() {
		const sites = new SiteTable('waits.spec.mjs', '/project');
		const options: HookOptions = {
			sites,
			ownDirectory: '/asyncmon/dist',
			cache: null,
			entry: '',
			processEntry: '',
			entryStarted: () => {},
			notice: () => {},
			onSyntaxError: problem => {
				throw new Error(problem.message);
			},
			loading: load => load(),
			vitestModules: true,
		};
		return {sites, output: instrumentEvaluated(viteCode, viteMap, '/project/waits.spec.mjs', options)};
	}

	it("makes its async functions tasks at the user's lines, and leaves the runner's awaits of its top level alone", () => {
		const {sites, output} = instrumented();
		expect(sites.functionAt(0)).toEqual({name: "<it 'waits' callback>", loc: 'waits.spec.mjs:2:13'});
		expect(sites.awaitAt(0)).toMatchObject({loc: 'waits.spec.mjs:3:2'});
		expect(unmarked(output)).toContain('const __vite_ssr_import_0__ = await __vite_ssr_import__("vitest");');
	});

	it("maps the instrumented code's positions to the user's file through vite's map", () => {
		const {output} = instrumented();
		const split = splitInlineMap(output)!;
		const map = new TraceMap(split.map);
		const at = (needle: string) => {
			const index = split.code.indexOf(needle);
			const line = split.code.slice(0, index).split('\n').length;
			return originalPositionFor(map, {line, column: index - split.code.lastIndexOf('\n', index - 1) - 1});
		};
		expect(at('check(1)')).toMatchObject({source: 'waits.spec.mjs', line: 3, column: 7});
		expect(at("'waits'")).toMatchObject({line: 2, column: 3});
		expect(map.sourcesContent).toEqual([original]);
	});

	it('is the code as it came when there is nothing in it to instrument (no call, no async function)', () => {
		const sites = new SiteTable('answer.mjs', '/project');
		const options = {sites, cache: null, loading: (load: () => unknown) => load()} as unknown as HookOptions;
		expect(instrumentEvaluated('const answer = 42;\n', viteMap, '/project/answer.mjs', options)).toBe('const answer = 42;\n');
	});
});
