import {describe, expect, it} from 'vitest';
import {CLI} from '../helpers/run-cli.js';
import {useTerminal} from '../helpers/terminal.js';

const terminal = useTerminal();
const asyncmon = (args: string): string => `${process.execPath} ${CLI} ${args}`;

describe('plain mode in a real terminal', () => {
	it('gives the script the terminal as stdin, as under node: an interactive prompt gets its answer', async () => {
		terminal.open(asyncmon('--plain prompt.ts'));
		await terminal.until('the prompt', text => text.includes('your name?'));
		expect(terminal.screen()).toContain('stdin is a terminal; your name?');
		terminal.keys('-l', 'Ada');
		terminal.keys('Enter');
		const after = await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		expect(after).toContain('hello Ada');
		expect(after).toContain('EXIT:0');
	});

	it('a Ctrl-C typed there reaches the script once: its own handler runs, and a second one kills it', async () => {
		terminal.open(asyncmon('--plain interrupt-once.ts'));
		await terminal.until('the script to wait', text => text.includes('waiting for Ctrl-C'));
		terminal.keys('C-c');
		await terminal.until('its handler', text => text.includes('interrupted 1 time'));
		terminal.keys('C-c');
		const after = await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		// The first reached it once: the next line is the second Ctrl-C. Its handler may still print as that one kills it (all it wrote is shown).
		expect(after).toMatch(/\^Cinterrupted 1 time\n\^C/);
		expect(after).not.toContain('interrupted 3 times');
		expect(after).toContain('EXIT:137');
	});
});
