import type {Insight} from '../../source/model/insights.js';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {formatMarkdown} from '../../source/sessions/format-markdown.js';
import {formatProgress, PROGRESS_MIN_BYTES, runReport} from '../../source/sessions/report-command.js';
import {header, reduce} from '../helpers/events.js';
import {tempDir} from '../helpers/temp.js';
import {THREE_REQUESTS_FILE, threeRequestsEvents, toNdjson, writeTemp} from './session-fixtures.js';

function collect(): {stream: PassThrough; text: () => string} {
	const stream = new PassThrough();
	const chunks: Buffer[] = [];
	stream.on('data', (chunk: Buffer) => chunks.push(chunk));
	return {stream, text: () => Buffer.concat(chunks).toString('utf8')};
}

describe('runReport', () => {
	it('writes the chosen format to the out file, with insights from the given function', async () => {
		const out = join(tempDir(), 'report.md');
		const insights: Insight[] = [{kind: 'sequential-awaits', taskName: 'main', operations: 2, sequenceMs: 200, longestMs: 100, togetherMs: 100, taskIds: [], savesMs: 100, calls: 1}];
		const result = await runReport({file: THREE_REQUESTS_FILE, format: 'md', out, lenient: false, progress: null, insights: () => insights});
		expect(result).toEqual({warnings: []});
		expect(readFileSync(out, 'utf8')).toBe(formatMarkdown(reduce(threeRequestsEvents()), insights));
	});

	it('writes to stdout when no out file is given', async () => {
		const stdout = collect();
		await runReport({file: THREE_REQUESTS_FILE, format: 'json', lenient: false, progress: null, stdout: stdout.stream});
		expect(JSON.parse(stdout.text()).summary.taskCount).toBe(4);
	});

	it('returns reader warnings, and fails on corrupt input unless lenient', async () => {
		const text = toNdjson(threeRequestsEvents()).split('\n');
		text[4] = 'oops';
		const file = writeTemp(tempDir(), 'bad.ndjson', text.join('\n'));
		await expect(runReport({file, format: 'text', lenient: false, progress: null, stdout: collect().stream})).rejects.toThrow(':5: corrupt line');
		const {warnings} = await runReport({file, format: 'text', lenient: true, progress: null, stdout: collect().stream});
		expect(warnings).toEqual(['skipped 1 corrupt line']);
	});

	it('draws progress only for big files, and clears it when done', async () => {
		const small = collect();
		await runReport({file: THREE_REQUESTS_FILE, format: 'text', lenient: false, progress: small.stream, stdout: collect().stream});
		expect(small.text()).toBe('');

		const loop = '{"type":"loop","t":1,"delayMs":1,"utilization":0.1}\n';
		const big = writeTemp(tempDir(), 'big.ndjson', JSON.stringify(header()) + '\n' + loop.repeat(Math.ceil(PROGRESS_MIN_BYTES / loop.length) + 10));
		const progress = collect();
		await runReport({file: big, format: 'json', lenient: false, progress: progress.stream, stdout: collect().stream});
		const drawn = progress.text();
		expect(drawn).toContain('\rreading ');
		expect(drawn).toContain('100% (');
		expect(drawn.endsWith('\r\x1b[K')).toBe(true);
		// one redraw per whole percent at most
		expect(drawn.split('\r').length).toBeLessThanOrEqual(103);
	});

	it('formats a progress line', () => {
		expect(formatProgress('big.ndjson', 3 * 1024 * 1024, 12 * 1024 * 1024)).toBe('reading big.ndjson   25% (3.0 of 12.0 MB)');
	});
});
