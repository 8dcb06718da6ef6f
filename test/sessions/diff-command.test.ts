import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {compareSessions} from '../../source/model/comparison.js';
import {computeInsights} from '../../source/model/insights.js';
import {renderDiff} from '../../source/sessions/diff-command.js';
import {loadSession} from '../../source/sessions/reader.js';
import {SCRIPTS} from '../helpers/run-cli.js';

const SESSIONS = join(SCRIPTS, '../sessions');

async function sides(beforeFile: string, afterFile: string) {
	const before = {file: beforeFile, state: (await loadSession(join(SESSIONS, beforeFile))).state};
	const after = {file: afterFile, state: (await loadSession(join(SESSIONS, afterFile))).state};
	const comparison = compareSessions({state: before.state, insights: computeInsights(before.state)}, {state: after.state, insights: computeInsights(after.state)});
	return {comparison, sides: {before, after}};
}

describe('renderDiff', () => {
	it('text colours a change for the better green and for the worse red, only when asked', async () => {
		const {comparison, sides: both} = await sides('demo-http-fanout.ndjson', 'three-requests.ndjson');
		const plain = renderDiff('text', comparison, both, false);
		expect(plain).not.toContain('\x1b[');
		const coloured = renderDiff('text', comparison, both, true);
		expect(coloured).toMatch(/\x1b\[(32|31)m[−+]\d+%/);
		// Colour aside, the same text.
		expect(coloured.replace(/\x1b\[[\d;]*m/g, '')).toBe(plain);
	});

	it('every format renders both ways round', async () => {
		for (const [a, b] of [
			['demo-http-fanout.ndjson', 'demo-gather.ndjson'],
			['demo-gather.ndjson', 'demo-http-fanout.ndjson'],
		] as const) {
			const {comparison, sides: both} = await sides(a, b);
			for (const format of ['text', 'md', 'json', 'html'] as const) expect(renderDiff(format, comparison, both).length).toBeGreaterThan(500);
			const json = JSON.parse(renderDiff('json', comparison, both));
			// The fan-out's requests are on one side only: its host is gone or new.
			expect(json.hosts.length).toBeGreaterThan(0);
			for (const host of json.hosts) expect(host.before === null || host.after === null).toBe(true);
		}
	});
});
