import {describe, expect, it} from 'vitest';
import type {OpEndEvent, OpStartEvent} from '../../../source/protocol/events.js';
import {recordedLines} from '../../helpers/recorded.js';
import {underNodeAndAsyncmon} from '../../helpers/node-parity.js';
import {SCRIPTS} from '../../helpers/run-cli.js';

describe('timers', () => {
	it("are ops that end fired or cleared, in each of Node's ways to clear one, and stacks made in their callbacks read as under node", async () => {
		const {node, asyncmon, file} = await underNodeAndAsyncmon('timers.cjs', [], SCRIPTS);
		expect(node.code).toBe(0);
		// The callback as `Timeout._onTimeout`, then Node's own listOnTimeout: no frame of asyncmon's between.
		expect(node.stdout.match(/ {4}at Timeout\._onTimeout \(.*\n {4}at listOnTimeout \(node:internal\/timers/g)).toHaveLength(2);
		expect(asyncmon).toEqual(node);

		const lines = recordedLines(file);
		const timers = lines.filter((line): line is OpStartEvent => line.type === 'op.start' && line.kind === 'timer');
		expect(timers.map(timer => timer.name)).toEqual([...Array.from({length: 5}, () => 'setTimeout 5ms'), 'setInterval 2ms', 'setTimeout 20ms']);
		const ends = new Map(lines.filter((line): line is OpEndEvent => line.type === 'op.end').map(end => [end.id, end]));
		const outcome = (timer: OpStartEvent): string => (ends.get(timer.id)?.cancelled ? 'cleared' : ends.has(timer.id) ? 'fired' : 'open');
		expect(timers.map(outcome)).toEqual(['fired', 'fired', 'cleared', 'cleared', 'cleared', 'cleared', 'fired']);
		const interval = timers[5]!;
		expect(lines.filter(line => line.type === 'op.fire' && line.id === interval.id)).toHaveLength(3);
	});
});
