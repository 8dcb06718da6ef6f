import {render, useApp, useWindowSize} from 'ink';
import type {ModelSource, ReplayControls} from '../model/source.js';
import {DashboardView} from './components/dashboard-view.js';
import {outputAfterDashboard} from './view-model/output.js';

export interface DashboardOptions {
	/** Live or replayed model. */
	source: ModelSource;
	/** Script name shown in the header. */
	title: string;
	/** --ascii: ASCII icons and bars. */
	ascii: boolean;
	/** False when NO_COLOR is set. */
	color: boolean;
	/** --exit-on-end: quit as soon as the script has exited. */
	exitOnEnd: boolean;
	/** First `q` (or Ctrl-C) while the script runs: the caller sends SIGINT to the script. */
	onInterrupt: () => void;
	/** Present in replay mode. */
	replay?: ReplayControls;
	/** Closes the dashboard from outside (asyncmon itself got SIGTERM, say). */
	signal?: AbortSignal;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
}

/**
 * Full-screen until the user quits. Ink leaves the alternate screen, shows the cursor and turns raw mode off on
 * unmount, which also runs on process exit; then a live run's output is written on the normal screen.
 */
export async function runDashboard(options: DashboardOptions): Promise<void> {
	const {stdin = process.stdin, stdout = process.stdout, signal, ...props} = options;
	// A frame's cost is its lines' building (React renders the view; more than once between two outputs, at times)
	// and Ink's layout and output of them: a source that spaces frames by their cost hears of both.
	let builtMs = 0;
	const instance = render(<SizedDashboard {...props} onFrameBuilt={ms => (builtMs += ms)} />, {
		stdin,
		stdout,
		alternateScreen: true,
		// The caller chose the dashboard because stdout is a terminal; Ink would otherwise draw nothing until exit wherever CI is set.
		interactive: true,
		exitOnCtrlC: false,
		patchConsole: false,
		maxFps: 15,
		// A live source spaces its redraws by what they cost.
		onRender: ({renderTime}) => {
			props.source.frameDrawn?.(builtMs + renderTime);
			builtMs = 0;
		},
	});
	const close = (): void => instance.unmount();
	signal?.addEventListener('abort', close, {once: true});
	try {
		if (!signal?.aborted) await instance.waitUntilExit();
	} finally {
		signal?.removeEventListener('abort', close);
		instance.unmount();
		// Resolved once Ink has left the alternate screen.
		await instance.waitUntilExit();
	}
	// The script's own output, on the normal screen: it stays in the scrollback, as under node. A replay's is a recording's.
	if (!props.replay) stdout.write(outputAfterDashboard(props.source.state));
}

type SizedDashboardProps = Omit<DashboardOptions, 'stdin' | 'stdout'> & {onFrameBuilt: (ms: number) => void};

/** Ties the view to the real terminal: its size, and Ink's exit. */
function SizedDashboard(props: SizedDashboardProps) {
	const {columns, rows} = useWindowSize();
	const {exit} = useApp();
	return <DashboardView {...props} size={{columns, rows}} onQuit={exit} />;
}
