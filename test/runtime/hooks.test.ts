import {writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {recordRun} from '../helpers/recorded.js';
import {runCli, SCRIPTS} from '../helpers/run-cli.js';
import {tempFile, unreadableFile} from '../helpers/temp.js';

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
		expect(result.stdout).toMatch(/^asyncmon: error in \S*(unreadable\.mjs|compact_memory): EACCES: permission denied/m);
		expect(result.stdout).not.toMatch(/unhandled rejection|\.catch\(\)/i);
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
