import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll} from 'vitest';
import {SCRIPTS} from './run-cli.js';
import {tempDir} from './temp.js';

/**
 * A real terminal: tmux runs a command in a pseudo-terminal; capture-pane reads the screen. The tests have a
 * tmux server of their own, with a configuration of their own, so the user's sessions stay untouched. Its
 * socket is a path in a temporary folder rather than a name (-L), which tmux would leave behind in
 * /tmp/tmux-UID. It stays up between terminals, so that opening one never races the server's exit after the
 * last one closed, until the tests of the file end.
 */
export class Terminal {
	private readonly directory = tempDir();
	private session = '';
	private sessions = 0;

	constructor() {
		writeFileSync(join(this.directory, 'tmux.conf'), 'set-option -g exit-empty off\n');
	}

	tmux(...args: string[]): string {
		return execFileSync('tmux', ['-S', join(this.directory, 'socket'), '-f', join(this.directory, 'tmux.conf'), ...args], {encoding: 'utf8'});
	}

	/** Runs a shell command in test/fixtures/scripts, in a new terminal of that size; `EXIT:<code>` follows its exit. */
	open(command: string, columns = 130, rows = 40): void {
		this.close();
		this.session = `asyncmon-e2e-${process.pid}-${++this.sessions}`;
		this.tmux('new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), `cd ${SCRIPTS} && ${command}; echo "EXIT:$?"; sleep 60`);
	}

	close(): void {
		if (!this.session) return;
		try {
			this.tmux('kill-session', '-t', this.session);
		} catch {
			// Already gone.
		}
	}

	/** What the terminal shows; `history`: with what scrolled off the top of the normal screen. */
	screen(options: {styled?: boolean; history?: boolean} = {}): string {
		return this.tmux('capture-pane', '-p', ...(options.styled ? ['-e'] : []), ...(options.history ? ['-S', '-'] : []), '-t', this.session);
	}

	keys(...names: string[]): void {
		this.tmux('send-keys', '-t', this.session, ...names);
	}

	paneFlag(name: string): string {
		return this.tmux('display-message', '-p', '-t', this.session, `#{${name}}`).trim();
	}

	resize(columns: number, rows: number): void {
		this.tmux('resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows));
	}

	async until(what: string, check: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const text = this.screen();
			if (check(text)) return text;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
	}

	stopServer(): void {
		try {
			this.tmux('kill-server');
		} catch {
			// No terminal was opened (the tests were filtered out): no server to stop.
		}
	}
}

/** A terminal for the tests of one file, its tmux server stopped after them. */
export function useTerminal(): Terminal {
	const terminal = new Terminal();
	afterAll(() => terminal.stopServer());
	return terminal;
}
