import {loadDashboard} from '../../ui/load-dashboard.js';
import {createState} from '../../model/state.js';
import {retentionOf, type RetentionArgs} from '../retention-arguments.js';
import {liveSpanExport, otlpEndpointOf, undeliveredText} from '../live-spans.js';
import {noticeText, PlainPrinter} from '../../plain/printer.js';
import {Recorder} from '../../sessions/recorder.js';
import {agentAddress, AgentStream, AgentUnreachable} from '../../monitor/agent-client.js';
import type {ExitEvent, NoticeEvent} from '../../protocol/events.js';
import {LiveSource} from '../live-source.js';
import {deriveReadinessWhileBlocked, SessionPipeline} from '../session-pipeline.js';
import {ownLinesStream, terminalColor, wantsPlain} from '../terminal.js';
import {requireFileName, UsageError} from '../usage-error.js';
import {requireReplaceable} from './recording-file.js';

/** Exit code when events were lost on their way: the agent dropped this client, which fell behind (as `run`'s). */
const EXIT_EVENTS_LOST = 5;
/** Exit code when the recording could not be written whole (as `run`'s). */
const EXIT_RECORDING_FAILED = 4;

export interface ConnectArgs extends RetentionArgs {
	target: string;
	/** `--otlp`: the collector's base URL. */
	otlp?: string;
	plain: boolean;
	record?: string;
	token?: string;
	ascii: boolean;
}

/**
 * `asyncmon connect <pid|socket|host:port>`: the dashboard (or the plain lines) of a service that runs with
 * `node --import asyncmon/agent`, from the agent's snapshot, then live. Quitting ends this client only.
 */
export async function connectCommand(args: ConnectArgs): Promise<number> {
	const plain = wantsPlain(args.plain);
	const ownLines = ownLinesStream();
	const color = terminalColor(process[ownLines]);
	let stream: AgentStream;
	try {
		stream = new AgentStream(agentAddress(args.target, args.token));
	} catch (error) {
		throw asUsageError(error);
	}
	requireFileName(args.record, '--record');
	requireReplaceable(args.record, '--record');
	const otlpEndpoint = otlpEndpointOf(args.otlp);
	const state = createState({retention: retentionOf(args)});
	const recorder = args.record ? new Recorder(args.record, message => plain && process.stderr.write(`asyncmon: ${message}\n`)) : null;
	const live = new LiveSource(state);
	const printer = plain ? new PlainPrinter({out: process.stdout, err: process.stderr, color, ascii: args.ascii, buffered: true, scriptOutput: 'as-is', ownLines}) : null;
	const spans = otlpEndpoint ? await liveSpanExport(otlpEndpoint, message => pipeline.derive([{type: 'notice', t: state.nowMs, message}])) : null;
	const pipeline = new SessionPipeline(state, {recorder, printer, spans, onFlush: () => live.changed()});
	let exitCode: number | null = null;
	stream.onLine((line, raw) => {
		if (line.type === 'script.exit') exitCode = line.code;
		pipeline.take(line, raw);
	});
	let snapshotRead: () => void = () => {};
	const joined = new Promise<void>(resolve => (snapshotRead = resolve));
	stream.onBatchEnd(() => {
		pipeline.flush();
		if (state.joinedMs !== null) snapshotRead();
	});
	// The service's clock, read from the wall: while its loop is blocked it sends nothing to go by.
	const stopDeriving = deriveReadinessWhileBlocked(pipeline, () => (state.header ? Date.now() - state.header.startedAt : state.nowMs));
	let left = false;
	const leave = (): void => {
		left = true;
		stream.close();
	};
	const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
	for (const signal of signals) process.on(signal, leave);
	const quit = new AbortController();
	try {
		const ended = stream.ended.then(() => serviceEnded(pipeline, exitCode, left));
		if (!plain) {
			// The dashboard opens on the snapshot, with the service's name in its title.
			await Promise.race([joined, ended]);
			const {runDashboard} = await loadDashboard();
			await runDashboard({
				source: live,
				title: `${state.header?.script ?? args.target} (pid ${state.header?.pid ?? args.target})`,
				ascii: args.ascii,
				color,
				exitOnEnd: false,
				// q or Ctrl-C leaves the service alone: this client quits.
				onInterrupt: () => quit.abort(),
				signal: quit.signal,
			});
			leave();
		}
		await ended;
	} catch (error) {
		throw asUsageError(error);
	} finally {
		for (const signal of signals) process.off(signal, leave);
		stopDeriving();
		// Before the recording closes: a failure the export says at the end is recorded with the rest.
		const undelivered = undeliveredText(await spans?.close(), otlpEndpoint);
		if (undelivered) process.stderr.write(undelivered);
		recorder?.close();
	}
	(printer ?? new PlainPrinter({out: process.stdout, err: process.stderr, color, ascii: args.ascii, ownLines})).finish(state);
	if (!plain) {
		for (const notice of state.notices) process.stderr.write(noticeText(notice));
		if (recorder?.failure) process.stderr.write(`asyncmon: ${recorder.failure}\n`);
	}
	if (recorder?.failure) return EXIT_RECORDING_FAILED;
	return state.droppedEvents > 0 ? EXIT_EVENTS_LOST : 0;
}

/**
 * The stream ended. When the service said it exited, that is the session's end, as a child's exit is, with
 * its code. A client that left ends its session where it stopped reading; a stream that stopped otherwise is said.
 */
function serviceEnded(pipeline: SessionPipeline, exitCode: number | null, left: boolean): void {
	const t = pipeline.state.nowMs;
	if (exitCode !== null) {
		const exit: ExitEvent = {type: 'exit', t, code: exitCode, signal: null};
		pipeline.derive([exit]);
	} else if (!left && pipeline.state.droppedEvents === 0) {
		const notice: NoticeEvent = {type: 'notice', t, message: 'the service closed the connection without saying it exited (killed, or its agent stopped)'};
		// The session ends there, how the service did not say: an exit with neither a code nor a signal.
		const exit: ExitEvent = {type: 'exit', t, code: null, signal: null};
		pipeline.derive([notice, exit]);
	}
}

function asUsageError(error: unknown): unknown {
	return error instanceof AgentUnreachable ? new UsageError(error.message) : error;
}
