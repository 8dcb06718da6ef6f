import {execFileSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {useDemoServer} from '../helpers/demo-server.js';
import {CLI, SCRIPTS} from '../helpers/run-cli.js';
import {tempDir, tempFile} from '../helpers/temp.js';

/**
 * A real terminal: tmux runs the CLI in a pseudo-terminal; capture-pane reads
 * the screen. The tests have a tmux server of their own, with a configuration
 * of their own, so the user's sessions stay untouched. Its socket is a path in
 * a temporary folder rather than a name (-L), which tmux would leave behind in
 * /tmp/tmux-UID. It stays up between terminals, so that opening one never
 * races the server's exit after the last one closed, until the tests end.
 */
const TMUX_DIR = tempDir();
writeFileSync(join(TMUX_DIR, 'tmux.conf'), 'set-option -g exit-empty off\n');
const tmux = (...args: string[]): string =>
	execFileSync('tmux', ['-S', join(TMUX_DIR, 'socket'), '-f', join(TMUX_DIR, 'tmux.conf'), ...args], {encoding: 'utf8'});
let SESSION = '';
let sessions = 0;
const screen = (): string => tmux('capture-pane', '-p', '-t', SESSION);
const keys = (...names: string[]): void => void tmux('send-keys', '-t', SESSION, ...names);
const paneFlag = (name: string): string => tmux('display-message', '-p', '-t', SESSION, `#{${name}}`).trim();

/** Runs a shell command in a new terminal of that size; `EXIT:<code>` follows asyncmon's exit. */
function openTerminal(command: string, columns = 130, rows = 40): void {
	closeTerminal();
	SESSION = `asyncmon-e2e-${process.pid}-${++sessions}`;
	tmux('new-session', '-d', '-s', SESSION, '-x', String(columns), '-y', String(rows), `cd ${SCRIPTS} && ${command}; echo "EXIT:$?"; sleep 60`);
}

function closeTerminal(): void {
	if (!SESSION) return;
	try {
		tmux('kill-session', '-t', SESSION);
	} catch {
		// Already gone.
	}
}

async function until(what: string, check: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const text = screen();
		if (check(text)) return text;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
		await new Promise(resolve => setTimeout(resolve, 50));
	}
}

const server = useDemoServer();
afterAll(() => {
	try {
		tmux('kill-server');
	} catch {
		// No terminal was opened (the tests were filtered out): no server to stop.
	}
});

/** CI=true as on CI runners: the dashboard must draw wherever stdout is a terminal. */
const asyncmon = (args: string): string => `CI=true ASYNCMON_DEMO_URL=${server.url} ${process.execPath} ${CLI} ${args}`;

describe('the dashboard in a real terminal', () => {
	it('shows tasks and a live BLOCKED banner, filters, opens details, quits with q and restores the terminal', async () => {
		openTerminal(asyncmon('--block-threshold 100 fanout-block.ts'));

		const live = await until('the task table', text => text.includes('fetchItem(1)') && text.includes('fetchItem(4)'));
		expect(live).toContain('fanout-block.ts');
		expect(paneFlag('alternate_on')).toBe('1');

		const blocked = await until('the BLOCKED banner', text => /BLOCKED \d+(\.\d+)?m?s by crunch/.test(text));
		expect(blocked).toMatch(/BLOCKED \d+(\.\d+)?m?s by crunch(Numbers)?\(/);
		// While the script's loop is blocked the dashboard still redraws: its clock moves on.
		const first = /BLOCKED (\S+)/.exec(blocked)![1];
		const later = await until('the banner to advance', text => /BLOCKED (\S+)/.exec(text)?.[1] !== first && /BLOCKED/.test(text));
		expect(later).toContain('BLOCKED');

		await until('the script to end', text => /exited with code 5/.test(text));
		keys('/');
		keys('-l', 'crunch');
		keys('Enter');
		const filtered = await until('the filtered table', text => text.includes('crunch()') && !text.includes('fetchItem(1)'));
		expect(filtered).not.toContain('heartbeat()');

		keys('Enter');
		const details = await until('the details view', text => /crunchNumbers|Block|block/.test(text) && text.includes('fanout-block.ts:'));
		expect(details).toContain('crunch()');
		keys('Escape');

		keys('q');
		const after = await until('the plain summary on the normal screen', text => text.includes('EXIT:5'));
		expect(after).toMatch(/Exited with code 5 after \d+\.\d\ds/);
		expect(paneFlag('alternate_on')).toBe('0');
		expect(paneFlag('cursor_flag')).toBe('1');
	});

	it("quits with q twice while the script's loop is blocked: the script is stopped, the terminal restored", async () => {
		openTerminal(`BLOCK_MS=60000 ${asyncmon('fanout-block.ts')}`);
		await until('the BLOCKED banner', text => /BLOCKED .* by crunch/.test(text));
		keys('q');
		keys('q');
		const after = await until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		expect(after).toMatch(/EXIT:(130|137|143)/);
		expect(after).toMatch(/Killed by SIG(INT|TERM|KILL) after/);
		expect(paneFlag('alternate_on')).toBe('0');
		expect(paneFlag('cursor_flag')).toBe('1');
	});

	it('SIGTERM to asyncmon closes the dashboard, restores the terminal and forwards the exit', async () => {
		const pidFile = tempFile('asyncmon.pid');
		openTerminal(`sh -c 'echo $$ > ${pidFile}; exec env ${asyncmon('long-running.ts')}'`);
		await until('the dashboard', text => text.includes('forever()'));
		process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
		const after = await until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		expect(after).toContain('EXIT:143');
		expect(after).toContain('Killed by SIGTERM');
		expect(paneFlag('alternate_on')).toBe('0');
		expect(paneFlag('cursor_flag')).toBe('1');
	});

	it('says the terminal is too small instead of drawing garbage', async () => {
		openTerminal(asyncmon('long-running.ts'), 36, 8);
		const small = await until('the too-small notice', text => /too small/i.test(text));
		expect(small.split('\n').filter(line => line.trim() !== '').length).toBeLessThanOrEqual(8);
		keys('q');
		keys('q');
		await until('asyncmon to exit', text => /EXIT:\d+/.test(text));
	});

	it('honours NO_COLOR, and re-lays out at once when the terminal is resized', async () => {
		const colours = /\u001B\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;5;\d+)m/;
		const styled = (): string => tmux('capture-pane', '-p', '-e', '-t', SESSION);
		openTerminal(asyncmon('long-running.ts'));
		await until('the dashboard', text => text.includes('forever()'));
		expect(styled()).toMatch(colours);
		openTerminal(`NO_COLOR=1 ${asyncmon('long-running.ts')}`);
		await until('the dashboard', text => text.includes('forever()'));
		expect(styled()).not.toMatch(colours);
		tmux('resize-window', '-t', SESSION, '-x', '70', '-y', '20');
		const narrow = await until('the narrower layout', text => text.split('\n').every(line => line.length <= 70) && text.includes('forever()'));
		expect(narrow.trimEnd().split('\n').length).toBeLessThanOrEqual(20);
		keys('q');
		keys('q');
		await until('asyncmon to exit', text => /EXIT:\d+/.test(text));
	});
});
