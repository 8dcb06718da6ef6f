import {describe, expect, it} from 'vitest';
import {processTaskName} from '../../source/protocol/child-config.js';

describe("a followed process's name", () => {
	it('is its pid and its command line, as typed', () => {
		expect(processTaskName(4242, 'node worker.js --port 3000')).toBe('pid 4242: node worker.js --port 3000');
		expect(processTaskName(undefined, 'node -e code')).toBe('pid ?: node -e code');
	});

	it("cuts a long command line in its middle, where a Node process's options are: its program and its script's end stay", () => {
		// node:test's run() starts each test file with every option at its default.
		const options = Array.from({length: 80}, (_, i) => `--test-option-${i}=default`).join(' ');
		const name = processTaskName(4242, `node ${options} --test-reporter=tap /app/test/totals.test.mjs`);
		expect(name.startsWith('pid 4242: node … ')).toBe(true);
		expect(name.endsWith(' --test-reporter=tap /app/test/totals.test.mjs')).toBe(true);
		expect(name.length).toBeLessThan(120);
		expect(name).not.toContain('--test-option-0=');
	});
});
