import {describe, expect, it} from 'vitest';
import {compareSessions} from '../../source/model/comparison.js';
import {computeInsights} from '../../source/model/insights.js';
import type {ProtocolLine} from '../../source/protocol/events.js';
import {diffDocument} from '../../source/sessions/diff-document.js';
import {event, header, reduce} from '../helpers/events.js';

/** A server's session: `calls` requests' handlers of `ms` each, one after another, then its exit. */
function served(calls: number, ms: number): ProtocolLine[] {
	const lines: ProtocolLine[] = [header(), event('task.start', {t: 0, id: 1, parent: null, kind: 'script', name: 'server.ts', loc: 'server.ts:1:1'})];
	for (let i = 0; i < calls; i++) {
		const id = 2 + i;
		lines.push(event('task.start', {t: i * ms, id, parent: 1, name: `handle(${i})`, loc: 'server.ts:5:1'}), event('task.end', {t: (i + 1) * ms, id, wait: ms}));
	}
	lines.push(event('task.end', {t: calls * ms, id: 1}), event('exit', {t: calls * ms + 1, code: 0, signal: null}));
	return lines;
}

function siteRow(beforeLines: ProtocolLine[], afterLines: ProtocolLine[]): string[] {
	const [before, after] = [reduce(beforeLines), reduce(afterLines)];
	const comparison = compareSessions({state: before, insights: computeInsights(before)}, {state: after, insights: computeInsights(after)});
	const document = diffDocument(comparison, {before: {file: 'before.ndjson', state: before}, after: {file: 'after.ndjson', state: after}});
	const sites = document.sections.find(section => section.title === 'Tasks by site')!;
	return sites.rows.find(row => row[0] === 'handle')!;
}

describe('the diff of tasks by site', () => {
	it('judges the same number of calls by their total', () => {
		expect(siteRow(served(4, 100), served(4, 50)).at(-1)).toBe('−50%, 2.0× faster');
	});

	// A load of fixed length: the faster server served twice the requests, each in less time.
	it('judges by the mean call where the counts differ: a total that grew with its count is no call slower', () => {
		const row = siteRow(served(4, 100), served(8, 60));
		expect(row[2]).toBe('4 → 8');
		expect(row.at(-1)).toBe('per call −40%, 1.7× faster');
	});
});
