import type {BlockStackSamples} from '../protocol/events.js';
import {fileOf} from '../protocol/location-file.js';
import type {UserStack} from './caller.js';

/** A read of a block's stack to tell, with how many of the block's reads were at its place (none for the first read alone). */
export interface ToldStack {
	stack: UserStack;
	samples?: BlockStackSamples;
}

/**
 * Where a read found the thread, to tell reads apart: the user's innermost function and its file; else, loading,
 * the module whose top level ran; else the library's file (a compiler's thousand functions are one place: what the
 * script asked of it).
 */
function placeOf(stack: UserStack): string {
	const [frame] = stack.frames;
	if (stack.loading) return `loading ${fileOf(stack.module ?? frame?.loc ?? '')}`;
	if (frame) return `${frame.fn} ${fileOf(frame.loc)}`;
	return stack.library ? fileOf(stack.library.loc) : '';
}

/** Within a place, the call of Node's the function was in (`execSync`, a RegExp's `test`, `performance.now`), if any. */
const variantOf = (stack: UserStack, place: string): string => (stack.callee ? `${place} in ${stack.callee.loc} ${stack.callee.fn}` : place);

interface Counted {
	count: number;
}

/** The key of the entries that counts most, of those `among` takes; of equals, the one counted first. */
function mostCounted<T extends Counted>(counts: Map<string, T>, among: (entry: T) => boolean = () => true): string {
	let best = '';
	let most = 0;
	for (const [key, entry] of counts) {
		if (entry.count > most && among(entry)) {
			best = key;
			most = entry.count;
		}
	}
	return best;
}

/**
 * The reads of one block's stack, taken while it lasts: the place most of them found is where the block was, not
 * wherever one read happened to land (three runs of one compile had named three functions). Says what to tell
 * as the leading place changes, and once the block is over, the final count. Of the leading place's reads, the
 * latest of those in the call of Node's most of them were in is told (a RegExp's `test`, whose advice is a rewrite).
 */
export class StackSamples {
	private readonly places = new Map<string, Counted>();
	private readonly variants = new Map<string, Counted & {place: string; latest: UserStack}>();
	private reads = 0;
	private told: {place: string; same: number; of: number} | null = null;

	get count(): number {
		return this.reads;
	}

	/** A read: what to tell now (the first read, or a new leading place), or null when what was told stands. */
	add(stack: UserStack): ToldStack | null {
		const place = placeOf(stack);
		const variant = variantOf(stack, place);
		this.reads++;
		const counted = this.places.get(place);
		if (counted) counted.count++;
		else this.places.set(place, {count: 1});
		const seen = this.variants.get(variant);
		if (seen) {
			seen.count++;
			seen.latest = stack;
		} else this.variants.set(variant, {place, count: 1, latest: stack});
		const leading = mostCounted(this.places);
		return this.told === null || leading !== this.told.place ? this.tell(leading) : null;
	}

	/** The block is over: the count of the reads, if it changed since it was last told. */
	final(): ToldStack | null {
		if (this.told === null || this.reads < 2) return null;
		const place = mostCounted(this.places);
		return place === this.told.place && this.places.get(place)!.count === this.told.same && this.reads === this.told.of ? null : this.tell(place);
	}

	/** Tells `place`, the leading one. */
	private tell(place: string): ToldStack {
		const same = this.places.get(place)!.count;
		const variant = mostCounted(this.variants, entry => entry.place === place);
		this.told = {place, same, of: this.reads};
		return {stack: this.variants.get(variant)!.latest, ...(this.reads > 1 && {samples: {same, of: this.reads}})};
	}
}
