import {functionName} from '../../protocol/function-name.js';
import type {Block} from '../state.js';
import type {Insight} from './insight.js';

/**
 * What makes findings of two sessions the same one: what it is about (a function, a location, a host), never
 * its ids, times or counts, which differ from run to run.
 */
export function insightIdentity(insight: Insight): string {
	switch (insight.kind) {
		case 'sequential-awaits':
			return identity(insight.kind, functionName(insight.taskName));
		case 'blocked-loop':
			return identity(insight.kind, blockPlace(insight.block));
		case 'unhandled-rejection':
			return identity(insight.kind, insight.error.name, insight.error.location ?? insight.error.message);
		case 'never-settled':
			return identity(insight.kind, ...[...new Set(insight.pending.map(task => functionName(task.name)))].sort());
		case 'floating-promise':
			return identity(insight.kind, insight.site);
		case 'http':
			return identity(insight.kind, insight.finding, insight.host);
		case 'concurrency':
		case 'keeps-alive':
		case 'parallelism':
			return insight.kind;
	}
}

/**
 * What a finding is about without its place: the function it names (a block's, a dropped call's and its
 * caller's, a rejection's task's), for findings that moved with their code, a file renamed or lines added
 * above (see compareInsights). Null for findings that name no place: their identity is all there is.
 */
export function insightIdentityWithoutPlace(insight: Insight): string | null {
	switch (insight.kind) {
		case 'blocked-loop':
			return identity(insight.kind, insight.block.frames[0]?.fn ?? '');
		case 'unhandled-rejection':
			return identity(insight.kind, insight.error.name, insight.taskName === null ? '' : functionName(insight.taskName));
		case 'floating-promise':
			return identity(insight.kind, insight.task === null ? '' : functionName(insight.task.name), insight.callerName === null ? '' : functionName(insight.callerName));
		default:
			return null;
	}
}

const identity = (...parts: string[]): string => parts.join('\u0000');

/**
 * Where a block spun: its function's code. A block's stack is read once, somewhere in the loop that held the
 * thread (`crunch` at cpu.js:11:3, at 11:22 the next time), so a named function is its place wherever in it
 * the read landed; an anonymous one's is its line; a block with no stack, where its task is.
 */
function blockPlace(block: Block): string {
	const top = block.frames[0];
	const atLine = (block.location ?? top?.loc ?? block.module ?? '').replace(/(:\d+):\d+$/, '$1');
	return top && top.fn !== '' && top.fn !== '<anonymous>' ? identity(top.fn, atLine.replace(/:\d+$/, '')) : atLine;
}
