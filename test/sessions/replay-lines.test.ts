import {writeFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import type {AsyncmonEvent, ProtocolLine} from '../../source/protocol/events.js';
import {serializeBatch, serializeLine} from '../../source/protocol/encode.js';
import {readSession} from '../../source/sessions/reader.js';
import {FileLines, MemoryLines} from '../../source/sessions/replay-lines.js';
import {header} from '../helpers/events.js';
import {tempFile} from '../helpers/temp.js';

/** A protocol 2 recording: 6,000 tasks as span lines (two events a line), output whose characters straddle read chunks, and a task that awaits. */
function recording(extra = ''): string {
	const events: AsyncmonEvent[] = [{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'app.ts', loc: null}];
	for (let i = 0; i < 6000; i++) {
		const id = 10 + i;
		events.push({type: 'task.start', t: i, id, parent: 1, kind: 'task', name: `work(${i})`, loc: 'app.ts:2:1'}, {type: 'task.end', t: i + 0.5, id, ok: true, busy: 0.5, wait: 0, sched: 0, awaits: 0});
		// Multi-byte characters, a lot of them: some fall across the 1 MB chunks a seek reads in.
		if (i % 500 === 0) events.push({type: 'output', t: i + 0.6, stream: 'stdout', text: `${'✓é'.repeat(60_000 + i)}\n`});
	}
	events.push({type: 'task.start', t: 7000, id: 9000, parent: 1, kind: 'task', name: 'waits()', loc: 'app.ts:9:1'});
	events.push({type: 'task.await', t: 7001, id: 9000, site: 'app.ts:9:5', on: {kind: 'value'}, busy: 0.1});
	events.push({type: 'exit', t: 7002, code: 0, signal: null});
	const file = tempFile('replay-lines.ndjson');
	writeFileSync(file, serializeLine(header()) + serializeBatch(events.slice(0, 3001)) + extra + serializeBatch(events.slice(3001)));
	return file;
}

async function fileLines(path: string, lenient = false): Promise<{lines: FileLines; all: ProtocolLine[]}> {
	const reader = readSession(path, {lenient});
	const lines = new FileLines(path);
	const all: ProtocolLine[] = [];
	for await (const line of reader) {
		lines.add(line, reader.lineOffset);
		all.push(line);
	}
	return {lines, all};
}

const take = (iterator: Iterator<ProtocolLine>, n: number): ProtocolLine[] => {
	const out: ProtocolLine[] = [];
	for (let next = iterator.next(); !next.done && out.length < n; next = iterator.next()) out.push(next.value);
	iterator.return?.();
	return out;
};

describe('FileLines: a recording read again from any event, without holding it in memory', () => {
	it('reads from any event what the first read gave, span lines and straddled characters included', async () => {
		const {lines, all} = await fileLines(recording());
		expect(lines.count).toBe(all.length);
		expect(all.length).toBeGreaterThan(12_000);
		for (const index of [0, 1, 2, 4095, 4096, 4097, 8191, 8192, 8193, 9000, all.length - 3, all.length - 1]) {
			expect(take(lines.from(index), 5), String(index)).toEqual(all.slice(index, index + 5));
		}
		// The whole of it, in order.
		expect(take(lines.from(0), all.length + 1)).toEqual(all);
		expect(Array.from(lines.arrivals)).toEqual(Array.from(new MemoryLines(all).arrivals));
	});

	it('skips the corrupt lines a lenient first read skipped, so every index still names the same event', async () => {
		const {lines, all} = await fileLines(recording('{"type":"task.ready"}\n[77,1]\n'), true);
		for (const index of [4095, 4096, 6001, 6002, all.length - 1]) expect(take(lines.from(index), 3)).toEqual(all.slice(index, index + 3));
	});
});
