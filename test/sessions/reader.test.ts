import {createWriteStream, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {once} from 'node:events';
import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import {describe, expect, it} from 'vitest';
import type {AsyncmonEvent, HeaderEvent, ProtocolLine} from '../../source/protocol/events.js';
import {serializeBatch, serializeLine} from '../../source/protocol/encode.js';
import {buildReport} from '../../source/model/summary.js';
import {loadSession, readSession, SessionFileError} from '../../source/sessions/reader.js';
import {header, reduce} from '../helpers/events.js';
import {tempDir} from '../helpers/temp.js';
import {THREE_REQUESTS_FILE, threeRequestsEvents, toNdjson, writeTemp} from './session-fixtures.js';

/** Measuring retained memory needs a collection first; garbage would blur the figure. */
function exposeGc(): () => void {
	setFlagsFromString('--expose-gc');
	return runInNewContext('gc') as () => void;
}

async function readError(path: string, lenient = false): Promise<SessionFileError> {
	const error = await loadSession(path, {lenient}).then(
		() => null,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(SessionFileError);
	expect((error as Error).message).not.toContain('\n');
	return error as SessionFileError;
}

describe('reading a recording', () => {
	const lines = threeRequestsEvents();

	it('the checked-in fixture is what the generator writes', () => {
		expect(readFileSync(THREE_REQUESTS_FILE, 'utf8')).toBe(toNdjson(lines));
	});

	it('streams every line and reduces to the same state as applying them in memory', async () => {
		const read: ProtocolLine[] = [];
		const session = readSession(THREE_REQUESTS_FILE);
		for await (const line of session) read.push(line);
		expect(read).toEqual(lines);
		expect(session.stats).toEqual({eventCount: lines.length - 1, badLines: 0, truncated: false});

		const loaded = await loadSession(THREE_REQUESTS_FILE);
		expect(loaded.state).toEqual(reduce(lines));
		expect(loaded).toMatchObject({warnings: [], badLines: 0, truncated: false, eventCount: lines.length - 1});
	});

	it('reads protocol 2, compact lines and spans, to the same events as protocol 1', async () => {
		const [first, ...events] = lines;
		// As the child writes them: in batches, a task or op that started and ended in one as a span.
		const text = serializeLine({...(first as HeaderEvent), protocol: 2}) + serializeBatch(events.slice(0, 20) as AsyncmonEvent[]) + serializeBatch(events.slice(20) as AsyncmonEvent[]);
		expect(text.split('\n').some(line => line.startsWith('['))).toBe(true);
		const path = writeTemp(tempDir(), 'v2.ndjson', text);
		const loaded = await loadSession(path);
		const v1 = await loadSession(THREE_REQUESTS_FILE);
		expect(buildReport(loaded.state)).toEqual(buildReport(v1.state));
		expect(loaded.eventCount).toBe(v1.eventCount);
	});

	it('rejects an empty file, and one holding only blank lines', async () => {
		const dir = tempDir();
		expect((await readError(writeTemp(dir, 'empty.ndjson', ''))).problem).toBe('empty');
		expect((await readError(writeTemp(dir, 'blank.ndjson', '\n  \n'))).problem).toBe('empty');
	});

	it('says "not an asyncmon session" when the first line is not JSON or not a header', async () => {
		const dir = tempDir();
		for (const [name, content] of [
			['text.ndjson', 'hello world\n{"type":"loop","t":1,"delayMs":1,"utilization":0}\n'],
			['event-first.ndjson', toNdjson(lines.slice(1))],
			['no-protocol.ndjson', toNdjson([{...header(), protocol: 'one'}])],
			['array.ndjson', '[1,2,3]\n'],
		] as const) {
			const error = await readError(writeTemp(dir, name, content));
			expect(error.problem).toBe('not-a-session');
			expect(error.message).toContain('not an asyncmon session');
		}
	});

	it('names the protocol of a recording from a newer asyncmon', async () => {
		const path = writeTemp(tempDir(), 'future.ndjson', toNdjson([header({protocol: 3}), ...lines.slice(1)]));
		const error = await readError(path);
		expect(error.problem).toBe('unsupported-protocol');
		expect(error.message).toContain('recorded with protocol 3, this asyncmon reads 2');
	});

	it('fails on a corrupt line in the middle, naming its 1-based line number', async () => {
		const text = toNdjson(lines).split('\n');
		text[6] = '{"type":"task.await","t":0.7,"id":3,'; // line 7
		const path = writeTemp(tempDir(), 'corrupt.ndjson', text.join('\n'));
		const error = await readError(path);
		expect(error.problem).toBe('corrupt-line');
		expect(error.line).toBe(7);
		expect(error.message).toContain(':7:');
	});

	it('treats well-formed JSON without an event shape as corrupt', async () => {
		const text = toNdjson(lines).split('\n');
		text[3] = '{"type":"loop"}';
		const error = await readError(writeTemp(tempDir(), 'no-time.ndjson', text.join('\n')));
		expect(error.line).toBe(4);
	});

	it('treats a JSON line with a missing or mistyped field as corrupt, naming the line and the field', async () => {
		const text = toNdjson(lines).split('\n');
		text[6] = '{"type":"task.await","t":0.7,"id":3,"site":null,"busy":0.1}'; // line 7: no `on`
		const error = await readError(writeTemp(tempDir(), 'no-on.ndjson', text.join('\n')));
		expect(error.problem).toBe('corrupt-line');
		expect(error.line).toBe(7);
		expect(error.message).toMatch(/no-on\.ndjson:7: corrupt line \(task\.await: 'on' is missing\) \(use --lenient to skip corrupt lines\)$/);

		text[6] = '{"type":"task.start","t":0.7,"id":3.5,"parent":null,"kind":"task","name":"x","loc":null}';
		expect((await readError(writeTemp(tempDir(), 'fraction.ndjson', text.join('\n')))).message).toContain("(task.start: 'id' is not an id (a positive integer))");
	});

	it('in lenient mode skips and counts lines of the wrong shape like any corrupt line', async () => {
		const text = toNdjson(lines).split('\n');
		text[6] = '{"type":"task.start","t":0.7,"id":3,"parent":null,"kind":"task","name":42,"loc":null}';
		const loaded = await loadSession(writeTemp(tempDir(), 'numeric-name.ndjson', text.join('\n')), {lenient: true});
		expect(loaded.badLines).toBe(1);
		expect(loaded.warnings).toEqual(['skipped 1 corrupt line']);
		expect(loaded.state).toEqual(reduce(lines.filter((_, i) => i !== 6)));
	});

	it('a last line of the wrong shape is corrupt, not cut off', async () => {
		const text = toNdjson(lines).trimEnd().split('\n');
		text[text.length - 1] = '{"type":"block.stack","t":1,"id":1,"frames":"parse"}';
		const error = await readError(writeTemp(tempDir(), 'last.ndjson', text.join('\n')));
		expect(error.line).toBe(text.length);
		expect(error.message).toContain("(block.stack: 'frames' is not a list of stack frames {fn, loc})");
	});

	it('a header with a mistyped field is corrupt, with no --lenient way around it', async () => {
		const path = writeTemp(tempDir(), 'bad-header.ndjson', `\n${toNdjson([{...header(), pid: 'x'} as unknown as ProtocolLine, ...lines.slice(1)])}`);
		const error = await readError(path, true);
		expect(error.problem).toBe('corrupt-line');
		expect(error.line).toBe(2);
		expect(error.message).toBe(`${path}:2: corrupt line (header: 'pid' is not a whole number)`);
	});

	it('warns of the lines the monitor skipped while recording, as of the events it dropped', async () => {
		const recorded: ProtocolLine[] = [...lines, {type: 'corrupt', t: 3000, count: 2, reason: 'not JSON'}, {type: 'dropped', t: 3001, count: 5}];
		const loaded = await loadSession(writeTemp(tempDir(), 'losses.ndjson', toNdjson(recorded)));
		expect(loaded.state.corruptLines).toBe(2);
		expect(loaded.warnings).toEqual([
			'the monitor dropped 5 events while recording; figures may be incomplete',
			'the monitor skipped 2 corrupt lines from the script while recording; figures may be incomplete',
		]);
	});

	it('in lenient mode skips and counts corrupt lines, keeping all the others', async () => {
		const text = toNdjson(lines).split('\n');
		text[6] = 'garbage';
		text[20] = '{"type":';
		const path = writeTemp(tempDir(), 'corrupt.ndjson', text.join('\n'));
		const loaded = await loadSession(path, {lenient: true});
		expect(loaded.badLines).toBe(2);
		expect(loaded.eventCount).toBe(lines.length - 3);
		expect(loaded.warnings).toEqual(['skipped 2 corrupt lines']);
		expect(loaded.state).toEqual(reduce(lines.filter((_, i) => i !== 6 && i !== 20)));
	});

	it('keeps everything up to a last line cut off mid-write, as a warning', async () => {
		const whole = toNdjson(lines);
		const cut = whole.slice(0, whole.length - 15); // inside the last line, and no newline
		const loaded = await loadSession(writeTemp(tempDir(), 'crashed.ndjson', cut));
		expect(loaded.truncated).toBe(true);
		expect(loaded.badLines).toBe(0);
		expect(loaded.eventCount).toBe(lines.length - 2);
		expect(loaded.state).toEqual(reduce(lines.slice(0, -1)));
		expect(loaded.warnings.join()).toContain('ends mid-line');
	});

	it('accepts a complete last line that merely lacks its newline', async () => {
		const loaded = await loadSession(writeTemp(tempDir(), 'no-eol.ndjson', toNdjson(lines).trimEnd()));
		expect(loaded.truncated).toBe(false);
		expect(loaded.state).toEqual(reduce(lines));
	});

	it('reports progress up to the whole file', async () => {
		const calls: Array<[number, number]> = [];
		await loadSession(THREE_REQUESTS_FILE, {onProgress: (read, total) => calls.push([read, total])});
		const size = statSync(THREE_REQUESTS_FILE).size;
		expect(calls.at(-1)).toEqual([size, size]);
	});

	it('streams 1,000,000 events with memory bounded well below the file size', async () => {
		const path = join(tempDir(), 'million.ndjson');
		const out = createWriteStream(path);
		out.write(JSON.stringify(header()) + '\n');
		const batch = 20_000;
		for (let start = 0; start < 1_000_000; start += batch) {
			let text = '';
			for (let i = start; i < start + batch; i++) {
				text +=
					i % 4 === 0
						? `{"type":"output","t":${i / 10},"stream":"stdout","text":"line ${i} of a long-running script's output"}\n`
						: `{"type":"loop","t":${i / 10},"delayMs":${(i % 97) / 10},"utilization":0.${i % 10}}\n`;
			}
			if (!out.write(text)) await once(out, 'drain');
		}
		out.end();
		await once(out, 'finish');
		const fileSize = statSync(path).size;
		expect(fileSize).toBeGreaterThan(60 * 1024 * 1024);

		const gc = exposeGc();
		gc();
		const baseline = process.memoryUsage().heapUsed;
		let peak = baseline;
		let chunks = 0;
		const loaded = await loadSession(path, {
			onProgress: () => {
				if (++chunks % 100 !== 0) return;
				gc();
				peak = Math.max(peak, process.memoryUsage().heapUsed);
			},
		});
		expect(loaded.eventCount).toBe(1_000_000);
		expect(loaded.state.nowMs).toBe(99_999.9);
		expect(chunks).toBeGreaterThan(500);
		// What stays reachable mid-read: the model (bounded series and output) and one chunk.
		expect(peak - baseline).toBeLessThan(fileSize / 10);
	}, 30_000);
});
