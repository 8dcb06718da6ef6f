import {closeSync, openSync, readSync} from 'node:fs';
import {StringDecoder} from 'node:string_decoder';
import {decodeEvent, decodeHeader} from '../protocol/decode.js';
import type {Ms, ProtocolLine} from '../protocol/events.js';

/**
 * The events a replay plays, in order, readable again from any one of them:
 * a seek back restores a checkpoint and reads on from it.
 */
export interface ReplayLines {
	readonly count: number;
	/** When each event "arrived": the running maximum of `t` (the header arrives at 0). */
	readonly arrivals: Float64Array;
	/** The events from `index` on. */
	from(index: number): Iterator<ProtocolLine>;
}

/** Lines held in memory: a recording made in the test, or a small one. */
export class MemoryLines implements ReplayLines {
	readonly arrivals: Float64Array;

	constructor(private readonly lines: readonly ProtocolLine[]) {
		const index = new ArrivalIndex();
		for (const line of lines) index.add(line);
		this.arrivals = index.arrivals();
	}

	get count(): number {
		return this.lines.length;
	}

	from(index: number): Iterator<ProtocolLine> {
		return this.lines.slice(index)[Symbol.iterator]();
	}
}

/** Arrival times as events are added, in a typed array that grows by doubling. */
export class ArrivalIndex {
	private data = new Float64Array(1024);
	private latest = 0;
	count = 0;

	add(line: ProtocolLine): void {
		if (line.type !== 'header' && line.t > this.latest) this.latest = line.t;
		if (this.count === this.data.length) {
			const grown = new Float64Array(this.data.length * 2);
			grown.set(this.data);
			this.data = grown;
		}
		this.data[this.count++] = this.latest;
	}

	arrivals(): Float64Array {
		return this.data.subarray(0, this.count);
	}
}

/** Every this many events, where to start reading to reach it: a seek reads at most this many to get there. */
const MARK_EVERY = 4096;
const CHUNK_BYTES = 1 << 20;

/** Where event `MARK_EVERY * k` is: the byte offset of its line, and how many events of that line come before it (a span line holds two). */
interface Mark {
	offset: number;
	skip: number;
}

/**
 * A recording on disk, not in memory: for each event only its arrival time
 * (8 bytes), and a mark every 4096 events. Seeking reads the file again from
 * the mark before, decoding as the first read did (corrupt lines it skipped,
 * under --lenient, are skipped again).
 */
export class FileLines implements ReplayLines {
	private readonly index = new ArrivalIndex();
	private readonly marks: Mark[] = [];
	private lastOffset = -1;
	private eventsOfLine = 0;

	constructor(private readonly path: string) {}

	/** Called for each event of the first read, with the byte offset of its line. */
	add(line: ProtocolLine, lineOffset: number): void {
		this.eventsOfLine = lineOffset === this.lastOffset ? this.eventsOfLine + 1 : 0;
		this.lastOffset = lineOffset;
		if (this.index.count % MARK_EVERY === 0) this.marks.push({offset: lineOffset, skip: this.eventsOfLine});
		this.index.add(line);
	}

	get count(): number {
		return this.index.count;
	}

	get arrivals(): Float64Array {
		return this.index.arrivals();
	}

	*from(index: number): Generator<ProtocolLine> {
		const markIndex = Math.floor(index / MARK_EVERY);
		const mark = this.marks[markIndex];
		if (!mark) return;
		let toSkip = mark.skip + (index - markIndex * MARK_EVERY);
		let first = mark.offset === 0;
		for (const text of linesFrom(this.path, mark.offset)) {
			// The file's first line is its header; the first read checked every line, so what fails now failed then (skipped under --lenient).
			const events = first ? headerOf(text) : decodeEvent(text);
			first = false;
			if (typeof events === 'string') continue;
			for (const event of events) {
				if (toSkip > 0) toSkip--;
				else yield event;
			}
		}
	}
}

function headerOf(text: string): ProtocolLine[] | string {
	const header = decodeHeader(text);
	return 'problem' in header ? 'not a header' : [header];
}

/** The file's lines from byte `offset` on, read in chunks as they are needed; blank lines left out. */
function* linesFrom(path: string, offset: number): Generator<string> {
	const fd = openSync(path, 'r');
	try {
		const buffer = Buffer.alloc(CHUNK_BYTES);
		// A chunk may end inside a character: the decoder keeps its first bytes for the next.
		const decoder = new StringDecoder('utf8');
		let position = offset;
		let pending = '';
		for (;;) {
			const read = readSync(fd, buffer, 0, CHUNK_BYTES, position);
			if (read === 0) break;
			position += read;
			const text = pending + decoder.write(buffer.subarray(0, read));
			const lines = text.split('\n');
			pending = lines.pop()!;
			for (const line of lines) if (line.trim() !== '') yield line;
		}
		if (pending.trim() !== '') yield pending;
	} finally {
		closeSync(fd);
	}
}

/** How many events had arrived by `ms` (binary search: arrivals never decrease). */
export function eventsArrivedBy(arrivals: Float64Array, ms: Ms): number {
	let low = 0;
	let high = arrivals.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (arrivals[mid]! <= ms) low = mid + 1;
		else high = mid;
	}
	return low;
}
