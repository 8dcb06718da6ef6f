import type {BlockedLoopInsight} from '../../model/insights.js';
import {blockCulprit, loadingWords} from '../holdups.js';
import {loopOwner} from '../processes.js';
import type {Block, ModelState} from '../../model/state.js';
import {blockingCallOf, type BlockingCall} from '../../model/blocking-calls.js';
import {formatDuration} from '../durations.js';
import {lineLocation} from '../locations.js';
import {fileOf} from '../../protocol/location-file.js';
import {counted} from '../text.js';

/** A block whose thread waited for a CPU this share of it or more says so: part of it was the machine's load. */
const NOTABLE_QUEUE_SHARE = 0.1;

export function blockedLoopMessage(state: ModelState, insight: BlockedLoopInsight): string {
	const {block, longestDelayMs} = insight;
	const where = block.location ? ` at ${lineLocation(block.location)}` : '';
	const queued = block.queuedMs > 0 && block.queuedMs >= insight.durationMs * NOTABLE_QUEUE_SHARE ? ` (for ${formatDuration(block.queuedMs)} of it the thread waited for a CPU: the machine was busy)` : '';
	const waited =
		longestDelayMs === null ? '' : `${counted(insight.delayedTasks, 'task was', 'tasks were')} ready and waited up to ${formatDuration(longestDelayMs)}; `;
	const advice = adviceFor(block, loadingWords(state, block));
	const place = block.location ? 'there' : block.stackRead ? 'like it' : 'whose place is not known';
	// After the CPU wait, which is of this block: one parenthesis each would read as two asides in a row.
	const repeated = insight.blocks > 1 ? `, the longest of ${insight.blocks} ${place}, ${formatDuration(insight.totalMs)} in all` : '';
	return `${blockCulprit(state, block)}${where} blocked the event loop${loopOwner(block)} for ${formatDuration(insight.durationMs)}${queued}${repeated}; ${waited}${advice}${sampled(state, block)}`;
}

/** How many reads of a block's stack found it where it is told, for one read more than once: `(24 of 25 reads of its stack found it in lib/_tsc.js)`. */
function sampled(state: ModelState, block: Block): string {
	const {samples} = block;
	if (!samples) return '';
	const [frame] = block.frames;
	const place = loadingWords(state, block) ?? (frame ? `in ${frame.fn}()` : block.library ? `in ${fileOf(block.library.loc)}` : 'there');
	return ` (${samples.same} of ${samples.of} reads of its stack found it ${place})`;
}

/**
 * A block read in one of Node's synchronous calls that has an asynchronous twin: the twin is the advice, not a
 * worker thread. `execSync` may compute nothing at all (it waits for its program); the twins of zlib's and crypto's
 * run in Node's thread pool, and fs's hand the waiting to it.
 */
function blockingCallAdvice(call: BlockingCall): string {
	switch (call.kind) {
		case 'atomics-wait':
			return 'it waited in Atomics.wait(): use Atomics.waitAsync, which does not hold the loop';
		case 'regexp':
			// No thread makes a pattern that backtracks without end finish: its time grows exponentially with the input.
			return `it ran a regular expression (${call.api}) that backtracks, in time that grows exponentially with the input (nested or overlapping quantifiers, (a+)+ or (a|a)*, on input that does not match): rewrite the pattern, or bound the input`;
		case 'zlib-synchronous':
			return "it ran one of zlib's synchronous calls on the loop's thread: use its asynchronous twin (zlib.gzip for gzipSync, and so on) or a stream, which runs in Node's thread pool";
		case 'synchronous': {
			const {fn, twin} = call;
			switch (call.module) {
				case 'node:child_process':
					return `it waited in ${fn}() for a child process to end: start it with ${twin === 'spawn' ? 'spawn' : `${twin} (or spawn)`} instead, which does not hold the loop`;
				case 'node:fs':
					return `it read or wrote in ${fn}(): use fs.promises.${twin} (or ${twin} with a callback), which does not hold the loop`;
				case 'node:zlib':
					return `it ran ${fn}() on the loop's thread: use zlib.${twin} (or a stream), which runs in Node's thread pool`;
				case 'node:crypto':
					return `it ran ${fn}() on the loop's thread: use crypto.${twin}, which runs in Node's thread pool`;
			}
		}
	}
}

/**
 * Advice needs a place to act on: a block seen in no code of the script's (a native call, a callback of a library's)
 * says what it cost and where to look, not what to move; one that ended before its stack was read (on a busy machine,
 * say) says only that where it ran is not known. Loading modules (a require() chain, an import) runs their top
 * levels: no CPU-bound work of the script's to move.
 */
function adviceFor(block: Block, loading: string | null): string {
	if (loading) return `it was ${loading} (require or import), which runs their code: load one needed at once at start-up, before the work it would hold up, and one that is not, later`;
	const call = block.callee && blockingCallOf(block.callee);
	if (call) return blockingCallAdvice(call);
	// A stack read with no frame of the script's in it: the place is only its task's, where no code of it was found running.
	const noCodeSeen = block.stackRead && block.frames.length === 0;
	if (block.location && !noCodeSeen) return 'move CPU-bound work to a worker thread';
	if (block.library) return `no code of the script's was running: it was in ${block.library.fn}() at ${lineLocation(block.library.loc)}, a library's: look for what the script asked of it`;
	if (block.stackRead) return "no code of the script's was running: look for a synchronous call into a library or native code";
	return 'it ended before its stack could be read, so where it ran is not known: look for synchronous work in what ran then';
}
