import type {ProtocolLine} from '../protocol/events.js';
import {formatDuration} from '../present/durations.js';
import {blockCulprit, waitingOn} from '../model/describe.js';
import type {ModelState, TaskNode} from '../model/state.js';
import {summaryLines} from './summary.js';

export interface TextSink {
	write(text: string): unknown;
}

export interface PlainOptions {
	out: TextSink;
	err: TextSink;
	color: boolean;
	/**
	 * Collect the lines for `out` and write them with flush(), one write per
	 * batch of events instead of one per line. The caller must flush (the
	 * live monitor does after each chunk it reads). stderr is never held back.
	 */
	buffered?: boolean;
}

/** A buffered printer writes at least this often, however long the batch. */
const MAX_PENDING_CHARS = 1 << 16;

const STYLES = {dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], bold: [1, 22]} as const;
export type Style = keyof typeof STYLES;

export function paint(color: boolean, style: Style, text: string): string {
	if (!color) return text;
	const [open, close] = STYLES[style];
	return `\u001B[${open}m${text}\u001B[${close}m`;
}

/**
 * Plain mode: one readable line per task start, await, finish or failure,
 * per HTTP request and per block, interleaved with the script's own output.
 */
export class PlainPrinter {
	private pending = '';

	constructor(private readonly options: PlainOptions) {}

	/** Writes what a buffered printer holds. */
	flush(): void {
		if (!this.pending) return;
		const text = this.pending;
		this.pending = '';
		this.options.out.write(text);
	}

	/** Called after the line was applied to `state`. */
	handle(line: ProtocolLine, state: ModelState): void {
		switch (line.type) {
			case 'output':
				if (line.stream === 'stdout') this.out(line.text);
				else {
					// What was printed before stays before.
					this.flush();
					this.options.err.write(line.text);
				}
				return;
			case 'task.start': {
				const node = state.nodes.get(line.id);
				if (node && node.kind !== 'script') this.say(line.t, 'cyan', '▶ start ', `${node.name}  ${this.dim(node.location ?? '')}`);
				return;
			}
			case 'task.await': {
				const node = state.nodes.get(line.id);
				if (node) this.say(line.t, 'yellow', '⏸ await ', `${node.name} on ${waitingOn(state, node, line.t)}  ${this.dim(line.site ?? '')}`);
				return;
			}
			case 'task.ready': {
				const node = state.nodes.get(line.id);
				if (node) this.say(line.t, 'red', '⏫ ready ', `${node.name}: what it awaited is done, but the loop is busy`);
				return;
			}
			case 'task.end': {
				const node = state.nodes.get(line.id);
				if (!node || node.kind === 'script') return;
				if (line.ok) this.say(line.t, 'green', '✔ done  ', `${node.name} in ${formatDuration(line.t - node.startMs)} ${this.dim(timings(node))}`);
				else this.say(line.t, 'red', '✖ failed', `${node.name} after ${formatDuration(line.t - node.startMs)}: ${line.error?.name ?? 'Error'}: ${line.error?.message ?? ''} ${this.dim(line.error?.location ?? '')}`);
				return;
			}
			case 'op.end': {
				const node = state.nodes.get(line.id);
				if (!node?.http) return;
				const phases = node.http.phases;
				const detail = `queue ${formatDuration(phases.queueMs ?? 0)} · connect ${formatDuration(phases.connectMs ?? 0)} · ttfb ${formatDuration(phases.ttfbMs ?? 0)} · download ${formatDuration(phases.downloadMs ?? 0)}`;
				const outcome = line.ok ? String(node.http.status ?? '') : `${line.error?.name ?? 'Error'}: ${line.error?.message ?? ''}`;
				this.say(line.t, line.ok ? 'green' : 'red', '↳ http  ', `${node.http.method} ${node.http.url} ${outcome} in ${formatDuration(line.t - node.startMs)} ${this.dim(detail)}`);
				return;
			}
			case 'block.start': {
				const block = state.blocks.find(b => b.id === line.id);
				const who = block ? blockCulprit(state, block) : 'a callback';
				this.say(line.detectedAt, 'red', '⚠ BLOCKED', `event loop blocked for over ${formatDuration(line.detectedAt - line.t)} by ${who} ${this.dim(block?.location ?? '')} (still blocked)`);
				return;
			}
			case 'block.end': {
				const block = state.blocks.find(b => b.id === line.id);
				this.say(line.t, 'red', '⚠ block ', `loop was blocked for ${formatDuration(line.durationMs)} by ${block ? blockCulprit(state, block) : 'a callback'} ${this.dim(block?.location ?? '')}`);
				return;
			}
			case 'uncaught':
				this.say(line.t, 'red', '✖ uncaught', `${line.origin === 'unhandledRejection' ? 'unhandled rejection' : 'exception'}: ${line.error.name}: ${line.error.message} ${this.dim(line.error.location ?? '')}`);
				return;
			default:
		}
	}

	/** The closing summary, modelled on the seed's last example. */
	finish(state: ModelState): void {
		this.flush();
		for (const line of summaryLines(state, this.options.color)) this.options.out.write(`${line}\n`);
	}

	private out(text: string): void {
		if (!this.options.buffered) {
			this.options.out.write(text);
			return;
		}
		this.pending += text;
		if (this.pending.length >= MAX_PENDING_CHARS) this.flush();
	}

	private dim(text: string): string {
		return paint(this.options.color, 'dim', text);
	}

	private say(t: number, style: Style, label: string, text: string): void {
		const stamp = this.dim(`[${(t / 1000).toFixed(3).padStart(8)}s]`);
		this.out(`${stamp} ${paint(this.options.color, style, label)} ${text.trimEnd()}\n`);
	}
}

function timings(node: TaskNode): string {
	return `(busy ${formatDuration(node.busyMs)} · waiting ${formatDuration(node.waitMs)} · sched ${formatDuration(node.schedDelayMs)})`;
}

