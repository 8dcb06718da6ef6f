import {describe, expect, it} from 'vitest';
import {foldedSentence} from '../../source/present/folded.js';

describe('foldedSentence', () => {
	const retention = {maxFinished: 10_000, maxAgeMs: 300_000};

	it("credits the script's process with the timers it folded along with its calls, not the reader", () => {
		// 900 calls and their 900 timers folded at the source; nothing by the reader.
		const sentence = foldedSentence({nodes: 1800, atSource: 900, nodesAtSource: 1800, beforeJoin: 0, sites: 2, retention})!;
		expect(sentence).not.toContain('to bound memory');
		expect(sentence).toBe("900 tasks were folded into 2 per-site totals by the script's process, beyond 1,000 at once and 100 a second per function or route, besides the slowest yet and those another task's await, an error or a block names (a run with --retain all sends every one); the figures include them");
	});

	it("says what the reader folded beside what the script's process did", () => {
		const sentence = foldedSentence({nodes: 25_000, atSource: 900, nodesAtSource: 1800, beforeJoin: 0, sites: 3, retention})!;
		expect(sentence).toContain('23,200 finished tasks and ops were folded into 3 per-site totals to bound memory (kept one by one: the latest 10,000, if they finished within the last 5m00s)');
		expect(sentence).toContain("900 tasks were folded by the script's process");
	});

	it("credits a running service's agent with what it folded before the client joined, not the client's window", () => {
		const sentence = foldedSentence({nodes: 2326, atSource: 0, nodesAtSource: 0, beforeJoin: 2326, sites: 2, retention})!;
		expect(sentence).toBe('2,326 tasks the service ran before this client joined were folded into 2 per-site totals by its agent; the figures include them');
		const both = foldedSentence({nodes: 12_326, atSource: 0, nodesAtSource: 0, beforeJoin: 2326, sites: 2, retention})!;
		expect(both).toContain('were folded into 2 per-site totals by its agent; 10,000 finished tasks and ops were folded to bound memory');
	});

	it("names the requests and timers the script's process folded when no task of theirs folded with them", () => {
		// A task sent one by one (the slowest yet) whose quick requests folded on their host's allowance.
		const sentence = foldedSentence({nodes: 1500, atSource: 0, nodesAtSource: 1500, beforeJoin: 0, sites: 1, retention})!;
		expect(sentence).toMatch(/^1,500 timers and requests were folded into 1 per-site total by the script's process, beyond 1,000 at once/);
	});

	it('says nothing when nothing was folded', () => {
		expect(foldedSentence({nodes: 0, atSource: 0, nodesAtSource: 0, beforeJoin: 0, sites: 0, retention})).toBeNull();
	});
});
