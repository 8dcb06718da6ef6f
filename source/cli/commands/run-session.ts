import {loadDashboard} from '../../ui/load-dashboard.js';
import {formatDuration} from '../../present/durations.js';
import {createState, type ModelState} from '../../model/state.js';
import {blockCulprit, loadingWords} from '../../present/holdups.js';
import {loopOwner} from '../../present/processes.js';
import {noticeText, PlainPrinter} from '../../plain/printer.js';
import type {Recorder} from '../../sessions/recorder.js';
import {exitCodeOf, type ChildSession} from '../../monitor/child-session.js';
import {outputBytes} from '../../protocol/output-bytes.js';
import type {StopRule} from '../../monitor/stop-rule.js';
import {LiveSource} from '../live-source.js';
import {deriveReadinessWhileBlocked, SessionPipeline} from '../session-pipeline.js';
import {liveSpanExport, undeliveredText} from '../live-spans.js';
import type {RunOptions} from './run-options.js';

/** Exit code when the script succeeded but a block lasted longer than --fail-on-block. */
const EXIT_BLOCK_BUDGET = 3;
/** Exit code when the script succeeded but its recording could not be written whole (a full disk, an I/O error). */
const EXIT_RECORDING_FAILED = 4;
/** Exit code when the script succeeded but events were lost on their way (a `dropped` event): the session is incomplete. */
const EXIT_EVENTS_LOST = 5;
/** How long the dashboard waits for a script that fails at once, so its error lands on the normal screen. */
const DASHBOARD_GRACE_MS = 300;

/** What runScript started before this module was loaded. */
export interface StartedSession {
	session: ChildSession;
	recorder: Recorder | null;
	stopRule: StopRule;
	/** Aborted by SIGTERM or SIGHUP: the dashboard closes, restoring the terminal. */
	closeDashboard: AbortSignal;
}

/**
 * Shows a started script's session until it ends (plain mode's lines, or the dashboard), records it, and says
 * how it went: the script's exit code, or EXIT_BLOCK_BUDGET, EXIT_RECORDING_FAILED or EXIT_EVENTS_LOST.
 */
export async function showSession(options: RunOptions, {session, recorder, stopRule, closeDashboard}: StartedSession): Promise<number> {
	// A long run keeps the latest finished tasks in full; older ones fold into per-site totals (state.aggregated).
	const state = createState({retention: options.retention});
	const live = new LiveSource(state);
	const printer = options.plain ? new PlainPrinter({out: options.stdout, err: options.stderr, color: options.color, ascii: options.ascii, buffered: true, scriptOutput: 'as-is', ownLines: options.ownLines}) : null;
	const spans = options.otlpEndpoint ? await liveSpanExport(options.otlpEndpoint, message => pipeline.derive([{type: 'notice', t: session.now(), message}])) : null;
	const pipeline = new SessionPipeline(state, {recorder, printer, spans, onFlush: () => live.changed()});
	// The lines the child sent meanwhile come first.
	session.onLine((line, raw) => pipeline.take(line, raw));
	// Once per chunk read from the child, not per line.
	session.onBatchEnd(() => pipeline.flush());
	const stopDeriving = deriveReadinessWhileBlocked(pipeline, () => session.now());
	if (!printer) await runDashboardUntilQuit(options, session, stopRule, live, closeDashboard);
	const {code, signal, stoppedFor} = await session.exited;
	stopRule.dispose();
	stopDeriving();
	// Before the recording closes: a failure it says at the end is recorded with the rest.
	const exported = await spans?.close();
	recorder?.close();
	const summaryPrinter = printer ?? new PlainPrinter({out: options.stdout, err: options.stderr, color: options.color, ascii: options.ascii, ownLines: options.ownLines});
	summaryPrinter.finish(state);
	if (!options.plain) {
		// Said in the dashboard while it ran; its screen is gone now.
		for (const notice of state.notices) options.stderr.write(noticeText(notice));
		if (recorder?.failure) options.stderr.write(`asyncmon: ${recorder.failure}\n`);
	}
	const undelivered = undeliveredText(exported, options.otlpEndpoint);
	if (undelivered) options.stderr.write(undelivered);
	// Ended for a signal it was stuck too long to take: the code node would have given it.
	if (code !== 0) return exitCodeOf(code, stoppedFor ?? signal);
	// The script succeeded: asyncmon's own verdicts, most telling first.
	if (blockBudgetExceeded(state, options)) return EXIT_BLOCK_BUDGET;
	if (recorder?.failure) return EXIT_RECORDING_FAILED;
	return state.droppedEvents > 0 ? EXIT_EVENTS_LOST : 0;
}

async function runDashboardUntilQuit(options: RunOptions, session: ChildSession, stopRule: StopRule, live: LiveSource, signal: AbortSignal): Promise<void> {
	const grace = new Promise(resolve => setTimeout(resolve, DASHBOARD_GRACE_MS));
	await Promise.race([session.exited, grace]);
	if (live.state.fatal || signal.aborted) return;
	const {runDashboard} = await loadDashboard();
	await runDashboard({
		source: live,
		title: options.scriptName ?? options.script,
		ascii: options.ascii,
		color: options.color,
		exitOnEnd: options.exitOnEnd,
		onInterrupt: () => stopRule.deliver('SIGINT'),
		signal,
	});
	// Quitting while the script still runs ends it, and what it started, as closing its terminal would; its recording is
	// completed. Closed by a SIGTERM or a hangup asyncmon got, which went to the script already: no quit of the user's,
	// and the script's handler takes as long as it takes (for a SIGTERM: see StopRule).
	if (!signal.aborted) stopRule.quit();
	// What it writes from here (its shutdown's lines) goes to the normal screen as it comes, after what it wrote before.
	else session.onLine(line => line.type === 'output' && line.lane === undefined && options[line.stream].write(outputBytes(line)));
	await session.exited;
}


/** Whether a block lasted longer than --fail-on-block; if so, says which on stderr. */
function blockBudgetExceeded(state: ModelState, options: RunOptions): boolean {
	if (options.failOnBlockMs === undefined) return false;
	const worst = state.blocks.reduce<(typeof state.blocks)[number] | null>((max, block) => ((block.durationMs ?? 0) > (max?.durationMs ?? -1) ? block : max), null);
	if (!worst || (worst.durationMs ?? 0) <= options.failOnBlockMs) return false;
	const loading = loadingWords(state, worst);
	options.stderr.write(
		`asyncmon: --fail-on-block ${options.failOnBlockMs}: the loop${loopOwner(worst)} was blocked for ${formatDuration(worst.durationMs ?? 0)} by ${blockCulprit(state, worst)}${worst.location ? ` at ${worst.location}` : ''}${loading ? `, ${loading}` : ''}\n`,
	);
	return true;
}
