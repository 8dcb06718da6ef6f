import {describe, expect, it} from 'vitest';
import {LiveSpanExport} from '../../source/otlp/live-export.js';
import {tracesEndpoint} from '../../source/otlp/endpoint.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {event, header} from '../helpers/events.js';
import {freePort} from '../helpers/free-port.js';
import {spansOf, useOtlpReceiver} from '../helpers/otlp-receiver.js';

const receiver = useOtlpReceiver();

const session: ProtocolLine[] = [
	header({traceId: 'b'.repeat(32)}),
	event('task.start', {t: 0, id: 1, kind: 'script', name: 'app.ts', loc: null}),
	event('task.start', {t: 1, id: 2, parent: 1, name: 'work()'}),
	event('task.end', {t: 2, id: 2}),
	event('task.start', {t: 3, id: 3, parent: 1, name: 'never()'}),
	event('exit', {t: 4}),
];

describe('LiveSpanExport', () => {
	it('sends the spans of the lines it is fed, what is still open included, by the time it closes', async () => {
		receiver().clear();
		const failures: string[] = [];
		const spans = new LiveSpanExport({endpoint: tracesEndpoint(receiver().url)!, onFailure: message => failures.push(message)});
		for (const line of session) spans.take(line);
		expect(await spans.close()).toEqual({spans: 3, undelivered: 0});
		expect(failures).toEqual([]);
		const received = spansOf(receiver().traces);
		expect(received.map(span => span.name).sort()).toEqual(['app.ts', 'never', 'work']);
		expect(received.find(span => span.name === 'never')?.attributes['asyncmon.unfinished']).toBe(true);
	});

	it('says the first failure once, and counts the spans the collector did not take', async () => {
		const failures: string[] = [];
		const endpoint = tracesEndpoint(`http://127.0.0.1:${await freePort()}`)!;
		const spans = new LiveSpanExport({endpoint, onFailure: message => failures.push(message)});
		for (const line of session) spans.take(line);
		expect(await spans.close()).toEqual({spans: 3, undelivered: 3});
		expect(failures).toEqual([expect.stringMatching(new RegExp(`^OTLP export to ${endpoint} failed: connect ECONNREFUSED`))]);
	}, 30_000);
});
