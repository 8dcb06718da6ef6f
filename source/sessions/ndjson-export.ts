import {closeSync, writeSync} from 'node:fs';
import {readableLine} from '../protocol/encode.js';
import {openPrivateFile} from './private-file.js';
import {writeOut} from './write-out.js';
import {loadWarnings, readSession} from './reader.js';

export interface NdjsonExportOptions {
	file: string;
	/** A private file (0600, no symlink); stdout when absent. */
	out?: string;
	lenient: boolean;
	stdout?: NodeJS.WritableStream;
}

/** Lines are gathered up to this size before a write: a million small writes would be slow. */
const CHUNK_CHARS = 1 << 20;

/**
 * `report --format ndjson`: the session as protocol 1's readable lines, an
 * object per event (a compact span line becomes its two events), for jq and
 * other tools. Streamed: memory stays bounded whatever the recording's size.
 */
export async function exportNdjson(options: NdjsonExportOptions): Promise<{warnings: string[]}> {
	const fd = options.out === undefined ? null : openPrivateFile(options.out, 'export');
	const stdout = options.stdout ?? process.stdout;
	/** Whether the output still has a reader: a file always has. */
	const write = async (text: string): Promise<boolean> => {
		if (fd === null) return writeOut(stdout, text);
		writeSync(fd, text);
		return true;
	};
	const losses = {droppedEvents: 0, corruptLines: 0};
	try {
		const lines = readSession(options.file, {lenient: options.lenient});
		let pending = '';
		for await (const line of lines) {
			if (line.type === 'dropped') losses.droppedEvents += line.count;
			else if (line.type === 'corrupt') losses.corruptLines += line.count;
			// The header says what the lines are: protocol 1's objects.
			pending += readableLine(line.type === 'header' ? {...line, protocol: 1} : line);
			if (pending.length >= CHUNK_CHARS) {
				if (!(await write(pending))) return {warnings: []};
				pending = '';
			}
		}
		if (pending) await write(pending);
		return {warnings: loadWarnings(lines.stats, losses)};
	} finally {
		if (fd !== null) closeSync(fd);
	}
}
