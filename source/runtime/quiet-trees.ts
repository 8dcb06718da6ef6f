import {namedTaskIds, targetIds, type AsyncmonEvent} from '../protocol/events.js';

/** How long a quiet request may run before it is in the stream as it goes: seen running, or waiting, on what. */
export const QUIET_MAX_MS = 1000;

/** A call held to fold (see Tracker.holdOrReveal): the task that called it, and its function's name. */
export interface HeldCall {
	parent: number;
	name: string;
}

/** A quiet request's tree (its server task) or a held call's, and every task and op started under it, with their events in order. */
export interface QuietTree {
	readonly startedAt: number;
	/** A held call's caller and function (see Tracker.holdOrReveal); null for a request. */
	readonly call: HeldCall | null;
	readonly ids: number[];
	readonly events: AsyncmonEvent[];
	/** Its requests sent; how many of its tasks and of them began and have not ended: what `held` counts of it. */
	readonly requests: number[];
	running: {tasks: number; http: number};
}

/**
 * Requests a server received past their route's allowance, and calls past their function's that start requests or
 * calls of their own (see Tracker.holdOrReveal), each held aside with everything it starts until it ends, then
 * handed to the sink whole, within one flush, where it folds however long it took (see SpanFolder). Sent as they
 * went, a request that began before a flush and ended after it could not fold: under load, when requests take longer
 * than a flush's 10 ms, none did, and the monitor read a dozen lines for each. A tree still running after
 * QUIET_MAX_MS, or named by an event from outside it (a block or an error of its tasks', another task's await but
 * its caller's on a held call), goes into the stream at once, and on from there as any.
 */
export class QuietTrees {
	/** Each held task's and op's tree, by id. */
	private readonly treeOfId = new Map<number, QuietTree>();
	private readonly trees = new Set<QuietTree>();

	get size(): number {
		return this.trees.size;
	}

	/** A request's server task `rootId` (or a held `call`'s task) begins quiet: its start, the first event held, comes next. */
	begin(rootId: number, now: number, call: HeldCall | null = null): void {
		const tree: QuietTree = {startedAt: now, call, ids: [rootId], events: [], requests: [], running: {tasks: 0, http: 0}};
		this.trees.add(tree);
		this.treeOfId.set(rootId, tree);
	}

	/** Whether the task or op `id` is held. */
	holds(id: number): boolean {
		return this.treeOfId.has(id);
	}

	/** Holds `event` if it is of a task or op held, or starts one under it; false when it goes to the sink as usual. */
	divert(event: AsyncmonEvent): boolean {
		let tree: QuietTree | undefined;
		switch (event.type) {
			case 'task.start':
			case 'op.start':
				tree = this.treeOfId.get(event.id);
				if (!tree && event.parent !== null) {
					tree = this.treeOfId.get(event.parent);
					if (tree) {
						tree.ids.push(event.id);
						this.treeOfId.set(event.id, tree);
					}
				}
				if (!tree) return false;
				if (event.type === 'task.start') tree.running.tasks++;
				else if (event.http) {
					tree.running.http++;
					tree.requests.push(event.id);
				}
				break;
			case 'task.end':
			case 'op.end':
				tree = this.treeOfId.get(event.id);
				if (!tree) return false;
				if (event.type === 'task.end') tree.running.tasks--;
				else if (tree.requests.includes(event.id)) tree.running.http--;
				break;
			case 'task.await':
			case 'task.ready':
			case 'task.resume':
			case 'op.phase':
			case 'op.dequeued':
			case 'op.fire':
				tree = this.treeOfId.get(event.id);
				break;
			default:
				return false;
		}
		tree?.events.push(event);
		return tree !== undefined;
	}

	/** The trees that `event`, going to the sink, names from outside (a block, an error, an await on one of theirs). */
	namedBy(event: AsyncmonEvent): QuietTree[] {
		const named: QuietTree[] = [];
		const ids = event.type === 'task.await' ? targetIds(event.on) : namedTaskIds(event);
		for (const id of ids) {
			const tree = id === null || id === undefined ? undefined : this.treeOfId.get(id);
			// Its caller's await names a held call as a silent one's may: its fold line tells it (see EventSink.foldSilent).
			if (event.type === 'task.await' && tree?.call?.parent === event.id && tree.ids[0] === id) continue;
			if (tree && !named.includes(tree)) named.push(tree);
		}
		return named;
	}

	/** The tree that holds the task or op `id`, if one does. */
	treeOf(id: number): QuietTree | undefined {
		return this.treeOfId.get(id);
	}

	/** The function's name of the held call `id`, if it is one. */
	heldCallName(id: number): string | undefined {
		const tree = this.treeOfId.get(id);
		return tree?.ids[0] === id ? tree.call?.name : undefined;
	}

	/** The tree of the server task (or held call) `rootId`, if it is held. */
	rootedAt(rootId: number): QuietTree | undefined {
		const tree = this.treeOfId.get(rootId);
		return tree?.ids[0] === rootId ? tree : undefined;
	}

	/** The trees begun before `t` (all of them by default). */
	begunBefore(t = Number.POSITIVE_INFINITY): QuietTree[] {
		const begun: QuietTree[] = [];
		// In the order they began.
		for (const tree of this.trees) {
			if (tree.startedAt >= t) break;
			begun.push(tree);
		}
		return begun;
	}

	/** Lets a tree go: its events, in the order they came, for the sink; its tasks' and ops' later events go there too. */
	release(tree: QuietTree): AsyncmonEvent[] {
		for (const id of tree.ids) this.treeOfId.delete(id);
		this.trees.delete(tree);
		return tree.events;
	}

	/** The tasks and requests sent begun in the trees and not ended: started, and not yet in the stream, as `held` counts them. */
	held(): {tasks: number; http: number} {
		const held = {tasks: 0, http: 0};
		for (const {running} of this.trees) {
			held.tasks += running.tasks;
			held.http += running.http;
		}
		return held;
	}
}
