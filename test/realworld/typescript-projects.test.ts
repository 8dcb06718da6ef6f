import {fileURLToPath} from 'node:url';
import {expect, it} from 'vitest';
import {recordRun, taskNamed} from '../helpers/recorded.js';

const PROJECT = fileURLToPath(new URL('../fixtures/realworld/tsconfig-project', import.meta.url));

it("a tsconfig that extends a base: the base's legacy decorators and its `paths` aliases work, as under tsx", async () => {
	const {result, report} = await recordRun(['src/main.ts'], {cwd: PROJECT});
	expect(result.stderr).toBe('');
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('calling welcome\n');
	expect(result.stdout).toContain('hello decorated world\n');
	expect(taskNamed(report, 'greet("decorated world")').location).toBe('src/lib/greet.ts:1:1');
});
