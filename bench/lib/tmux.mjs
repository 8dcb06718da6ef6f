// A real terminal for the dashboard: tmux on a private socket (never the user's server), of a given size.
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {waitFor} from './proc.mjs';

/** Starts `command` (a shell command line; `exec` it so the pane's process is the program) in a detached session. */
export function openTerminal(dir, command, {name = 'bench', columns = 160, rows = 45} = {}) {
	const socket = join(dir, `${name}.tmux`);
	const tmux = (...args) => execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {encoding: 'utf8', stdio: 'pipe'});
	tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), command);
	return {
		/** The process running in the pane. */
		pid: () => Number(tmux('display-message', '-p', '-t', name, '#{pane_pid}').trim()),
		screen: () => tmux('capture-pane', '-p', '-t', name),
		keys: (...keys) => tmux('send-keys', '-t', name, ...keys),
		/** Polls the screen until `match(screen)` returns something truthy, which it resolves with. */
		waitForScreen: (match, what, timeoutMs, everyMs = 50) => waitFor(() => match(tmux('capture-pane', '-p', '-t', name)), what, timeoutMs, everyMs),
		close() {
			try {
				tmux('kill-server');
			} catch {
				// Already gone with its last pane.
			}
		},
	};
}
