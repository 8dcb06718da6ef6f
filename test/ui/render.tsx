import {render} from 'ink-testing-library';
import type {ReplayControls} from '../../source/model/source.js';
import {DashboardView} from '../../source/ui/components/dashboard-view.js';
import type {FakeSession} from '../helpers/events.js';

export interface Rendered {
	frame(): string;
	/** The frame with its styles: colours where `color` is on. */
	styledFrame(): string;
	lines(): string[];
	/** Types keys and waits for the frame they produce; with no keys, waits for pending updates. */
	press(...keys: string[]): Promise<void>;
	/** Waits until `check` holds (an effect's callback, say), for at most `timeoutMs`: a loaded machine renders late. */
	until(check: () => boolean, timeoutMs?: number): Promise<void>;
	rerenderAt(columns: number, rows: number): void;
	interrupts: number;
	quits: number;
	unmount(): void;
}

export const KEYS = {escape: '\x1b', enter: '\r', tab: '\t', up: '\x1b[A', down: '\x1b[B', pageUp: '\x1b[5~', pageDown: '\x1b[6~', backspace: '\x7f', ctrlC: '\x03'};

const settle = (): Promise<void> => new Promise(resolve => setTimeout(resolve, 30));

export async function renderDashboard(
	session: FakeSession,
	options: {nowMs?: number; columns?: number; rows?: number; ascii?: boolean; color?: boolean; exitOnEnd?: boolean; replay?: ReplayControls} = {},
): Promise<Rendered> {
	const counters = {interrupts: 0, quits: 0};
	const element = (columns: number, rows: number) => (
		<DashboardView
			source={session}
			title="server.ts"
			ascii={options.ascii ?? false}
			color={options.color ?? false}
			exitOnEnd={options.exitOnEnd ?? false}
			replay={options.replay}
			onInterrupt={() => counters.interrupts++}
			onQuit={() => counters.quits++}
			size={{columns, rows}}
			wallClock={session.clockAt(options.nowMs ?? session.state.nowMs)}
		/>
	);
	const instance = render(element(options.columns ?? 120, options.rows ?? 30));
	await settle();
	// The dashboard styles its lines itself, so frames carry SGR codes even without colour.
	const frame = (): string => (instance.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '');
	return {
		frame,
		styledFrame: () => instance.lastFrame() ?? '',
		lines: () => frame().split('\n'),
		async press(...keys) {
			for (const key of keys) {
				instance.stdin.write(key);
				await settle();
			}
			await settle();
		},
		async until(check, timeoutMs = 2000) {
			const deadline = Date.now() + timeoutMs;
			while (!check() && Date.now() < deadline) await settle();
		},
		rerenderAt(columns, rows) {
			instance.rerender(element(columns, rows));
		},
		get interrupts() {
			return counters.interrupts;
		},
		get quits() {
			return counters.quits;
		},
		unmount: () => instance.unmount(),
	};
}
