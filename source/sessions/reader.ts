import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import {decodeEvent, decodeHeader, NOT_JSON, type CorruptReason} from '../protocol/decode.js';
import {PROTOCOL_VERSION, type HeaderEvent, type ProtocolLine} from '../protocol/events.js';
import {apply} from '../model/reducer.js';
import {createState, type ModelState, type Retention} from '../model/state.js';
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

export interface LoadOptions extends ReadOptions {
	/** Which finished nodes the model keeps one by one; by default every one. */
	retention?: Retention | null;
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
const NONE: readonly ProtocolLine[] = [];
/** A header is a few hundred bytes; a longer first line means some other file, not worth buffering. */
const MAX_HEADER_BYTES = 1024 * 1024;

/**
 * The lines of a recording, streamed: memory stays bounded by the longest
 * line, whatever the file size. `stats` fills in as iteration proceeds.
 */
export class SessionLines implements AsyncIterable<ProtocolLine> {
	readonly stats: ReadStats = {eventCount: 0, badLines: 0, truncated: false};
	/** Where in the file the line of the event just yielded starts, in bytes: a replay seeks back to it. */
	lineOffset = 0;

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
			const dataOffset = bytesRead - (pending?.length ?? 0);
			bytesRead += chunk.length;
			const data: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
			let start = 0;
			for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
				lineNumber++;
				const lines = this.parseWholeLine(data.toString('utf8', start, end), lineNumber, sawHeader);
				this.lineOffset = dataOffset + start;
				start = end + 1;
				for (const line of lines) {
					if (sawHeader) this.stats.eventCount++;
					sawHeader = true;
					yield line;
				}
			}
			pending = start < data.length ? data.subarray(start) : null;
			if (!sawHeader && pending && pending.length > MAX_HEADER_BYTES) throw notASession(this.path);
			this.options.onProgress?.(bytesRead, totalBytes);
		}
		if (pending) {
			lineNumber++;
			this.lineOffset = bytesRead - pending.length;
			for (const line of this.parseLastLine(pending.toString('utf8'), lineNumber, sawHeader)) {
				if (sawHeader) this.stats.eventCount++;
				sawHeader = true;
				yield line;
			}
		}
		if (!sawHeader) throw new SessionFileError('empty', `${this.path}: the file is empty, not an asyncmon session`);
	}

	/** A newline-terminated line's events (two for a span): corrupt means an error, or a skip when lenient. Blank lines are ignored. */
	private parseWholeLine(text: string, lineNumber: number, sawHeader: boolean): readonly ProtocolLine[] {
		if (text.trim() === '') return NONE;
		if (!sawHeader) return [readHeader(text, this.path, lineNumber)];
		const events = decodeEvent(text);
		return typeof events === 'string' ? this.corrupt(events, lineNumber) : events;
	}

	/** The last line has no newline: if it is not JSON, the writer died mid-line. */
	private parseLastLine(text: string, lineNumber: number, sawHeader: boolean): readonly ProtocolLine[] {
		if (text.trim() === '') return NONE;
		if (!sawHeader) return [readHeader(text, this.path, lineNumber)];
		const events = decodeEvent(text);
		if (typeof events !== 'string') return events;
		if (events !== NOT_JSON) return this.corrupt(events, lineNumber);
		this.stats.truncated = true;
		return NONE;
	}

	private corrupt(reason: CorruptReason, lineNumber: number): readonly ProtocolLine[] {
		if (!this.options.lenient) {
			throw new SessionFileError('corrupt-line', `${this.path}:${lineNumber}: corrupt line (${reason}) (use --lenient to skip corrupt lines)`, lineNumber);
		}
		this.stats.badLines++;
		return NONE;
	}
}

export function readSession(path: string, options: ReadOptions = {}): SessionLines {
	return new SessionLines(path, options);
}

function notASession(path: string): SessionFileError {
	return new SessionFileError('not-a-session', `${path}: not an asyncmon session (the first line is not an asyncmon header)`);
}

function readHeader(text: string, path: string, lineNumber: number): HeaderEvent {
	const header = decodeHeader(text);
	if (!('problem' in header)) return header;
	switch (header.problem) {
		case 'not-a-header':
			throw notASession(path);
		case 'newer-protocol':
			throw new SessionFileError(
				'unsupported-protocol',
				`${path}: recorded with protocol ${header.protocol}, this asyncmon reads ${PROTOCOL_VERSION}; upgrade asyncmon to read it`,
			);
		case 'corrupt':
			// No --lenient: without its header a session cannot be read at all.
			throw new SessionFileError('corrupt-line', `${path}:${lineNumber}: corrupt line (${header.reason})`, lineNumber);
	}
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
export async function loadSession(path: string, options: LoadOptions = {}): Promise<LoadedSession> {
	const state = createState({retention: options.retention});
	const lines = readSession(path, options);
	for await (const line of lines) apply(state, line);
	return {state, warnings: loadWarnings(lines.stats, state), ...lines.stats};
}

/** What the monitor itself said went missing while it recorded: its `dropped` and `corrupt` events. */
export type RecordedLosses = Pick<ModelState, 'droppedEvents' | 'corruptLines'>;

export function loadWarnings(stats: ReadStats, {droppedEvents, corruptLines}: RecordedLosses): string[] {
	const warnings: string[] = [];
	if (stats.badLines > 0) warnings.push(`skipped ${counted(stats.badLines, 'corrupt line')}`);
	if (stats.truncated) warnings.push('the recording ends mid-line (the process probably died while writing it); the cut-off last line was ignored');
	if (droppedEvents > 0) warnings.push(`the monitor dropped ${droppedEvents} events while recording; figures may be incomplete`);
	if (corruptLines > 0) warnings.push(`the monitor skipped ${counted(corruptLines, 'corrupt line')} from the script while recording; figures may be incomplete`);
	return warnings;
}
