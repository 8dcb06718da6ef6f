import {describe, expect, it} from 'vitest';
import type {AsyncmonEvent} from '../../source/protocol/events.js';
import {formatText} from '../../source/sessions/format-text.js';
import {event, reduce} from '../helpers/events.js';

/** A server's session: `count` requests to `GET url`, every `failEvery`th answered 500. */
function served(count: number, url: string, failEvery: number): AsyncmonEvent[] {
	const lines: AsyncmonEvent[] = [event('task.start', {t: 0, id: 1, kind: 'script', name: 'server.ts'})];
	for (let id = 10; id < 10 + count; id++) lines.push(event('task.start', {t: 1, id, parent: 1, kind: 'server', name: `GET ${url}`, http: {method: 'GET', url}}), event('task.end', {t: 2, id, ok: true, status: id % failEvery === 0 ? 500 : 200}));
	lines.push(event('exit', {t: 3, code: 0, signal: null}));
	return lines;
}

describe("the report's document", () => {
	// A tester's Fastify server: `HTTP requests received 13391` beside a folded table's `9,198`.
	it('writes its counts in thousands: the summary, the routes', () => {
		const report = formatText(reduce(served(2_500, '/', 2)));
		expect(report).toMatch(/HTTP requests received +2,500\n/);
		expect(report).toMatch(/failed HTTP requests received +1,250\n/);
		expect(report).toMatch(/GET \/ +2,500 +1,250 /);
	});

	// The same server: `×2,853 GET /boom  answered 500` and `×858 server GET /boom  answered 500`, one route.
	it("counts a route's failures told one by one and folded in one row of its failures", () => {
		const report = formatText(reduce(served(400, '/boom', 1), {retention: {maxFinished: 5, maxAgeMs: Infinity}}));
		const failures = report.slice(report.indexOf('Failures'));
		expect(failures).toMatch(/^×400 GET \/boom +answered 500/m);
		expect(failures).not.toContain('server GET /boom');
	});
});
