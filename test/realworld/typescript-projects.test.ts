import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {recordRun, taskNamed} from '../helpers/recorded.js';
import {underAsyncmon, underNodeAndAsyncmon} from '../helpers/node-parity.js';

const PROJECT = fileURLToPath(new URL('../fixtures/realworld/tsconfig-project', import.meta.url));
const TYPESCRIPT = fileURLToPath(new URL('../fixtures/realworld/typescript', import.meta.url));

it("a tsconfig that extends a base: the base's legacy decorators and its `paths` aliases work, as under tsx", async () => {
	const {result, report} = await recordRun(['src/main.ts'], {cwd: PROJECT});
	expect(result.stderr).toBe('');
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('calling welcome\n');
	expect(result.stdout).toContain('hello decorated world\n');
	expect(taskNamed(report, 'greet("decorated world")').location).toBe('src/lib/greet.ts:1:1');
});

describe('TypeScript that node cannot run itself: the output tsc would give, with tasks at the lines of the source', () => {
	it('standard (TC39) decorators on a class, a method and an auto-accessor', async () => {
		const {asyncmon, report} = await underAsyncmon('standard-decorators.ts', [], TYPESCRIPT);
		expect(asyncmon).toEqual({code: 0, stdout: 'settled at 30\nregistered Thermostat; call settle(42); set target 42\n', stderr: ''});
		const settle = taskNamed(report, 'Thermostat.settle(42)');
		expect([settle.state, settle.location]).toEqual(['finished', 'standard-decorators.ts:34:8']);
	});

	it("compiled by esbuild, whose worker thread is asyncmon's own work: no lane of the script's", async () => {
		// Compiled afresh, not read from the transform cache.
		const {result, report} = await recordRun(['standard-decorators.ts'], {cwd: TYPESCRIPT, env: {ASYNCMON_NO_CACHE: '1'}});
		expect(result.code).toBe(0);
		expect(report.tasks.filter(task => task.kind === 'worker')).toEqual([]);
	});

	it('a .cts file written with import and export, imported by name from an ES module; a .ts one in a "type": "commonjs" package: CommonJS, as tsc and tsx make them', async () => {
		const cts = await underAsyncmon('imports-es-cts.mts', [], TYPESCRIPT);
		expect(cts.asyncmon).toEqual({code: 0, stdout: 'high is 10, low is 1\n', stderr: ''});
		expect([taskNamed(cts.report, 'levelOf("high")').state, taskNamed(cts.report, 'levelOf("high")').location]).toEqual(['finished', 'es-syntax.cts:9:1']);
		const commonjs = await underAsyncmon('commonjs-package/app.ts', [], TYPESCRIPT);
		expect(commonjs.asyncmon).toEqual({code: 0, stdout: 'app.ts ran as CommonJS\n', stderr: ''});
		expect(taskNamed(commonjs.report, 'main()').location).toBe('commonjs-package/app.ts:5:1');
	});

	it('.tsx with the automatic JSX runtime', async () => {
		const {asyncmon, report} = await underAsyncmon('component.tsx', [], TYPESCRIPT);
		expect(asyncmon).toEqual({
			code: 0,
			stdout: '<ul><li><span class="badge">user-1</span></li><li><span class="badge">user-2</span></li></ul>\n',
			stderr: '',
		});
		expect(taskNamed(report, 'loadUser(2)').location).toBe('component.tsx:10:1');
	});
});

describe('TypeScript that node runs by stripping types: the same output and exit code as under node', () => {
	it('an .mts module importing a .cts one by its extension', async () => {
		const {node, asyncmon, report} = await underNodeAndAsyncmon('modules.mts', [], TYPESCRIPT);
		expect(node).toEqual({code: 0, stdout: 'counted 1,2,3 in a CommonJS module; import.meta is object\n', stderr: ''});
		expect(asyncmon).toEqual(node);
		const countTo = taskNamed(report, 'countTo(3)');
		expect([countTo.state, countTo.location, countTo.awaits]).toEqual(['finished', 'counter.cts:4:1', 3]);
		expect(countTo.parentId).toBe(taskNamed(report, 'count(3)').id);
	});
});

it('`await using` disposes in reverse order, also when its block throws (lowered where this Node cannot parse it)', async () => {
	const {asyncmon, report} = await underAsyncmon('await-using.mts', [], TYPESCRIPT);
	const opened = 'open source\nopen target\n';
	const closed = 'close target\nclose source\n';
	expect(asyncmon).toEqual({
		code: 0,
		stdout: `${opened}transferred\n${closed}${opened}${closed}caught: transfer from source to target failed\n`,
		stderr: '',
	});
	expect(taskNamed(report, 'transfer(true)').error?.message).toBe('transfer from source to target failed');
	const transfers = report.tasks.filter(task => task.name.startsWith('transfer(')).map(task => task.id);
	// Line 12 is the dispose method; esbuild's lowering, where it runs, can move the mapped column by one.
	const disposals = report.tasks.filter(task => task.location?.startsWith('await-using.mts:12:'));
	expect(disposals.map(task => [transfers.indexOf(task.parentId!), task.state])).toEqual([
		[0, 'finished'],
		[0, 'finished'],
		[1, 'finished'],
		[1, 'finished'],
	]);
});
