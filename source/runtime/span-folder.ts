import type {AsyncmonEvent, FoldEvent, HeaderEvent, TaskEndEvent, TaskStartEvent} from '../protocol/events.js';
import type {Spans} from '../protocol/encode.js';
import {FOLD_MAX_MS, FoldedTaskWriter, SENT_BURST, SENT_PER_SECOND} from '../protocol/fold.js';

/** Fewer quick tasks than this, of one site and parent in one flush, are sent one by one: a fold line would cost more. */
const MIN_FOLDED = 4;

type Line = AsyncmonEvent | HeaderEvent;

interface Site {
	tokens: number;
	refilledAt: number;
	/** The longest of its tasks so far: a longer one is always sent, so "slowest tasks" stays true. */
	longestMs: number;
	/** This flush's groups, by parent id. */
	groups: Map<number | null, Group>;
}

/** One site's quick tasks under one parent in one flush: the indexes of their starts and ends. */
interface Group {
	start: TaskStartEvent;
	/** Where its line goes: its first task's start. */
	at: number;
	indexes: number[];
}

/** Which tasks of a flush were folded: told by id, for naming only those that are sent. */
export type IsFolded = (id: number) => boolean;

export const NONE_FOLDED: IsFolded = () => false;

/**
 * Keeps the statistics of a flood of quick tasks in the script's process, as tokio-console's aggregator
 * does, instead of sending each one: the monitor then spends nothing per task, and the script is not held
 * back waiting for it. Only tasks nothing else refers to fold (a span line's task, see encode.ts's
 * pairing): a plain async function call that succeeded within one flush, started nothing, and whose
 * waits were too short to be sent. Each site sends SENT_BURST of them one by one, then SENT_PER_SECOND;
 * beyond that they fold, by site and parent, into one `fold` line per flush.
 */
export class SpanFolder {
	private readonly sites = new Map<string, Site>();

	/** The batch as it is to be sent (folded tasks' starts and ends out, a fold line where each group's first task started), and which were folded. */
	fold(events: Line[], spans: Spans): {events: Line[]; isFolded: IsFolded} {
		const touched: Site[] = [];
		for (let i = 0; i < events.length; i++) {
			const endAt = spans[i]!;
			if (endAt < 0) continue;
			const start = events[i] as TaskStartEvent;
			if (start.type !== 'task.start' || start.kind !== 'task' || start.thread !== undefined) continue;
			const end = events[endAt] as TaskEndEvent;
			if (!end.ok || end.error !== undefined) continue;
			const site = this.siteOf(start);
			if (this.sends(site, start.t, end.t - start.t)) continue;
			if (site.groups.size === 0) touched.push(site);
			const group = site.groups.get(start.parent);
			if (group) group.indexes.push(i, endAt);
			else site.groups.set(start.parent, {start, at: i, indexes: [i, endAt]});
		}
		if (touched.length === 0) return {events, isFolded: NONE_FOLDED};
		const lines: Array<[at: number, fold: FoldEvent]> = [];
		const taken = new Uint8Array(events.length);
		const foldedIds = new Set<number>();
		for (const site of touched) {
			for (const group of site.groups.values()) {
				if (group.indexes.length >= 2 * MIN_FOLDED) lines.push([group.at, foldLine(events, group, taken, foldedIds)]);
			}
			site.groups.clear();
		}
		if (lines.length === 0) return {events, isFolded: NONE_FOLDED};
		lines.sort((a, b) => a[0] - b[0]);
		const sent: Line[] = [];
		let next = 0;
		for (let i = 0; i < events.length; i++) {
			while (next < lines.length && lines[next]![0] === i) sent.push(lines[next++]![1]);
			if (!taken[i]) sent.push(events[i]!);
		}
		return {events: sent, isFolded: id => foldedIds.has(id)};
	}

	private siteOf(start: TaskStartEvent): Site {
		// A function's location, or a `task(name)`'s name: strings the tracker keeps, so the lookup hashes nothing new.
		const key = start.loc ?? start.name;
		let site = this.sites.get(key);
		if (!site) this.sites.set(key, (site = {tokens: SENT_BURST, refilledAt: start.t, longestMs: 0, groups: new Map()}));
		return site;
	}

	/** Whether the site's allowance sends this task one by one. */
	private sends(site: Site, t: number, totalMs: number): boolean {
		if (t > site.refilledAt) {
			site.tokens = Math.min(SENT_BURST, site.tokens + ((t - site.refilledAt) * SENT_PER_SECOND) / 1000);
			site.refilledAt = t;
		}
		if (totalMs > site.longestMs) {
			site.longestMs = totalMs;
			return true;
		}
		// Too long for a fold line's field (FOLD_MAX_MS): sent, allowance or not.
		if (totalMs > FOLD_MAX_MS) return true;
		if (site.tokens < 1) return false;
		site.tokens--;
		return true;
	}
}

/** The group's fold line; marks its tasks' events taken and their ids folded. */
function foldLine(events: Line[], group: Group, taken: Uint8Array, foldedIds: Set<number>): FoldEvent {
	const {start: first, indexes} = group;
	const fold: FoldEvent = {type: 'fold', t: -Infinity, name: first.name, loc: first.loc, parent: first.parent, count: 0, totalMs: 0, busyMs: 0, waitMs: 0, tasks: ''};
	for (let i = 1; i < indexes.length; i += 2) fold.t = Math.max(fold.t, (events[indexes[i]!] as TaskEndEvent).t);
	const tasks = new FoldedTaskWriter(fold.t);
	for (let i = 0; i < indexes.length; i += 2) {
		const start = events[indexes[i]!] as TaskStartEvent;
		const end = events[indexes[i + 1]!] as TaskEndEvent;
		// Its start must fit the field: only after a long block can a flush hold one that far back.
		if (fold.t - start.t > FOLD_MAX_MS) continue;
		const totalMs = end.t - start.t;
		tasks.add(start.t, end.t, end.busy, end.wait);
		fold.count++;
		fold.totalMs += totalMs;
		fold.busyMs += end.busy;
		fold.waitMs += end.wait;
		taken[indexes[i]!] = 1;
		taken[indexes[i + 1]!] = 1;
		foldedIds.add(start.id);
	}
	fold.tasks = tasks.text();
	return fold;
}
