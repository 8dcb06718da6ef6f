import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = fileURLToPath(new URL('../../.dependency-cruiser.cjs', import.meta.url));
const depcruise = fileURLToPath(new URL('../../node_modules/dependency-cruiser/bin/dependency-cruiser.mjs', import.meta.url));

/** dependency-cruiser's own command line, with the project's rules, in `cwd`. */
function cruise(cwd: string, ...targets: string[]) {
	const run = spawnSync(process.execPath, [depcruise, '--config', config, '--output-type', 'err', ...targets], {cwd, encoding: 'utf8'});
	return {status: run.status, report: run.stdout + run.stderr};
}

describe('the allowed imports between the parts (docs/architecture.md)', () => {
	it('hold for asyncmon itself', () => {
		const {status, report} = cruise(root, 'source', 'cli.tsx');
		expect(report).not.toMatch(/error/);
		expect(status).toBe(0);
	});

	it('fail on a part that imports one it may not', () => {
		const {status, report} = cruise(fileURLToPath(new URL('../fixtures/architecture', import.meta.url)), 'source');
		expect(report).toContain('runtime-imports-protocol: source/runtime/tracker.ts → source/ui/screen.ts');
		expect(status).not.toBe(0);
	});
});
