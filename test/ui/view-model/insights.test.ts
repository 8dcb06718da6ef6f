import {describe, expect, it} from 'vitest';
import {INSIGHTS_EVERY_MS, INSIGHTS_SHARE, insightsPauseMs, MAX_INSIGHTS_EVERY_MS} from '../../../source/ui/view-model/insights.js';

describe('how often the dashboard works its insights out', () => {
	it('once a second while a pass is cheap', () => {
		expect(insightsPauseMs(0.5)).toBe(INSIGHTS_EVERY_MS);
		expect(insightsPauseMs(INSIGHTS_EVERY_MS * INSIGHTS_SHARE)).toBe(INSIGHTS_EVERY_MS);
	});

	it(`less often once a pass takes more than ${INSIGHTS_SHARE * 100} % of a core at that pace, down to one in ${MAX_INSIGHTS_EVERY_MS / 1000} s`, () => {
		expect(insightsPauseMs(40)).toBe(40 / INSIGHTS_SHARE);
		expect(insightsPauseMs(400)).toBe(MAX_INSIGHTS_EVERY_MS);
	});
});
