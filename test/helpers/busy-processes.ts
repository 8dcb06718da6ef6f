import {spawn, type ChildProcess} from 'node:child_process';
import {afterEach} from 'vitest';

/** Processes that spin, keeping the machine's cores busy during a test; killed after each test of the suite that uses them. */
export function useBusyProcesses(): {start: (count?: number) => void} {
	let spinners: ChildProcess[] = [];
	afterEach(() => {
		for (const spinner of spinners) spinner.kill('SIGKILL');
		spinners = [];
	});
	return {
		start(count = 2) {
			spinners = Array.from({length: count}, () => spawn(process.execPath, ['-e', 'for (;;) {}'], {stdio: 'ignore'}));
		},
	};
}
