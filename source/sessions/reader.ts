import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import {PROTOCOL_VERSION, type HeaderEvent, type ProtocolLine} from '../protocol/events.js';
import {apply} from '../model/reducer.js';
import {createState, type ModelState} from '../model/state.js';
import {counted} from '../present/text.js';

export type SessionFileProblem = 'empty' | 'not-a-session' | 'unsupported-protocol' | 'corrupt-line';

/** A recording that cannot be read. The message is one line, fit for a CLI error. */
export class SessionFileError extends Error {
	override readonly name = 'SessionFileError';

	constructor(
		readonly problem: SessionFileProblem,
		message: string,
		/** 1-based line number of a corrupt line. */
		readonly line?: number,
	) {
		super(message);
	}
}

export type ProgressListener = (bytesRead: number, totalBytes: number) => void;

export interface ReadOptions {
	/** Skip and count corrupt lines instead of failing on the first one. */
	lenient?: boolean;
	/** Called after every chunk read. */
	onProgress?: ProgressListener;
}

export interface ReadStats {
	/** Events after the header that were yielded. */
	eventCount: number;
	/** Corrupt lines skipped (lenient mode only). */
	badLines: number;
	/** The last line was cut short (no newline, not parseable), e.g. a crash mid-write. */
	truncated: boolean;
}

const NEWLINE = 0x0a;
/** A header is a few hundred bytes; a longer first line means some other file, not worth buffering. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * The lines of a recording, streamed: memory stays bounded by the longest
 * line, whatever the file size. `stats` fills in as iteration proceeds.
 */
export class SessionLines implements AsyncIterable<ProtocolLine> {
	readonly stats: ReadStats = {eventCount: 0, badLines: 0, truncated: false};

	constructor(
		readonly path: string,
		private readonly options: ReadOptions = {},
	) {}

	async *[Symbol.asyncIterator](): AsyncGenerator<ProtocolLine> {
		const totalBytes = (await stat(this.path)).size;
		let bytesRead = 0;
		let lineNumber = 0;
		let sawHeader = false;
		let pending: Buffer | null = null;
		for await (const chunk of createReadStream(this.path) as AsyncIterable<Buffer>) {
			bytesRead += chunk.length;
			const data: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
			let start = 0;
			for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
				lineNumber++;
				const line = this.parseWholeLine(data.toString('utf8', start, end), lineNumber, sawHeader);
				start = end + 1;
				if (line === null) continue;
				if (sawHeader) this.stats.eventCount++;
				sawHeader = true;
				yield line;
			}
			pending = start < data.length ? data.subarray(start) : null;
			if (!sawHeader && pending && pending.length > MAX_HEADER_BYTES) throw notASession(this.path);
			this.options.onProgress?.(bytesRead, totalBytes);
		}
		if (pending) {
			lineNumber++;
			const line = this.parseLastLine(pending.toString('utf8'), lineNumber, sawHeader);
			if (line) {
				if (sawHeader) this.stats.eventCount++;
				sawHeader = true;
				yield line;
			}
		}
		if (!sawHeader) throw new SessionFileError('empty', `${this.path}: the file is empty, not an asyncmon session`);
	}

	/** A newline-terminated line: corrupt means an error, or a skip when lenient. Blank lines are ignored. */
	private parseWholeLine(text: string, lineNumber: number, sawHeader: boolean): ProtocolLine | null {
		if (text.trim() === '') return null;
		if (!sawHeader) return parseHeader(text, this.path);
		const event = parseEvent(text);
		if (event) return event;
		if (!this.options.lenient) {
			throw new SessionFileError('corrupt-line', `${this.path}:${lineNumber}: corrupt line (use --lenient to skip corrupt lines)`, lineNumber);
		}
		this.stats.badLines++;
		return null;
	}

	/** The last line has no newline: if it does not parse, the writer died mid-line. */
	private parseLastLine(text: string, lineNumber: number, sawHeader: boolean): ProtocolLine | null {
		if (text.trim() === '') return null;
		if (!sawHeader) return parseHeader(text, this.path);
		const event = parseEvent(text);
		if (!event) this.stats.truncated = true;
		return event;
	}
}

export function readSession(path: string, options: ReadOptions = {}): SessionLines {
	return new SessionLines(path, options);
}

function parseJsonObject(text: string): Record<string, unknown> | null {
	try {
		const value: unknown = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

function notASession(path: string): SessionFileError {
	return new SessionFileError('not-a-session', `${path}: not an asyncmon session (the first line is not an asyncmon header)`);
}

function parseHeader(text: string, path: string): HeaderEvent {
	const value = parseJsonObject(text);
	if (!value || value.type !== 'header' || typeof value.protocol !== 'number' || !Number.isInteger(value.protocol) || value.protocol < 1) {
		throw notASession(path);
	}
	if (value.protocol > PROTOCOL_VERSION) {
		throw new SessionFileError(
			'unsupported-protocol',
			`${path}: recorded with protocol ${value.protocol}, this asyncmon reads ${PROTOCOL_VERSION}; upgrade asyncmon to read it`,
		);
	}
	return value as unknown as HeaderEvent;
}

/**
 * Checks the shape every event shares; unknown event types pass, since the
 * reducer ignores them (a newer minor writer may add some).
 */
function parseEvent(text: string): ProtocolLine | null {
	const value = parseJsonObject(text);
	if (!value || typeof value.type !== 'string' || value.type === 'header' || typeof value.t !== 'number' || !Number.isFinite(value.t)) {
		return null;
	}
	return value as unknown as ProtocolLine;
}

export interface LoadedSession {
	state: ModelState;
	/** Problems worth telling the user about that did not stop the load. */
	warnings: string[];
	badLines: number;
	truncated: boolean;
	eventCount: number;
}

/** Reduces a whole recording into a model, streaming it. */
export async function loadSession(path: string, options: ReadOptions = {}): Promise<LoadedSession> {
	const state = createState();
	const lines = readSession(path, options);
	for await (const line of lines) apply(state, line);
	return {state, warnings: loadWarnings(lines.stats, state.droppedEvents), ...lines.stats};
}

export function loadWarnings(stats: ReadStats, droppedEvents: number): string[] {
	const warnings: string[] = [];
	if (stats.badLines > 0) warnings.push(`skipped ${counted(stats.badLines, 'corrupt line')}`);
	if (stats.truncated) warnings.push('the recording ends mid-line (the process probably died while writing it); the cut-off last line was ignored');
	if (droppedEvents > 0) warnings.push(`the monitor dropped ${droppedEvents} events while recording; figures may be incomplete`);
	return warnings;
}
