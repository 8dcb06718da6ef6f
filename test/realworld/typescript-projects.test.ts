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
