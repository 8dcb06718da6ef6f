import {closeSync, openSync} from 'node:fs';
import module from 'node:module';
import {join} from 'node:path';
import {CHILD_CONFIG_ENV, followedNodeOptions, laneRootId, type ChildConfig, type LaneConfig, type LaneSocket} from '../protocol/child-config.js';
import {MAX_PROCESS_SLOT} from '../protocol/events.js';

/**
 * Sets up a Node child about to be started to be followed: the environment to start it with (the one it was
 * given, or the parent's) with asyncmon's preload and the child's config, and the id of its lane's root; null
 * when it cannot be followed (no slot left): it then runs as under node, unwatched.
 */
export type FollowChild = (env: NodeJS.ProcessEnv | undefined, command: string, startedBy: number) => {root: number; env: NodeJS.ProcessEnv} | null;

/**
 * How a process of the session follows the Node processes it starts, the way `strace -f` follows forks:
 * through NODE_OPTIONS, which reaches a Node started directly, by a shell or by npm alike, and leaves its
 * `process.execArgv` as under node. The preload takes its own `--require` out again before the child's code
 * runs (see restoreChildEnvironment), so the child and what it starts see the environment they were given.
 */
export function followChildren(config: ChildConfig, startedAt: number, preload: string): FollowChild | null {
	const lanes = config.lanes;
	if (!lanes) return null;
	return (given, command, startedBy) => {
		const slot = claimSlot(lanes, '');
		if (slot === null) return null;
		const env = given ?? process.env;
		const nodeOptions = env.NODE_OPTIONS ?? null;
		const lane: LaneConfig = {slot, startedBy, command, startedAt, nodeOptions};
		const child: ChildConfig = {
			script: '',
			scriptName: '',
			eventsFd: -1,
			watchdogFd: -1,
			blockThresholdMs: config.blockThresholdMs,
			redact: config.redact,
			monitorPid: config.monitorPid,
			traceId: config.traceId,
			propagateTrace: config.propagateTrace,
			foldQuickTasks: config.foldQuickTasks,
			lanes,
			lane,
		};
		return {
			root: laneRootId(slot),
			env: {
				...env,
				NODE_OPTIONS: followedNodeOptions(preload, nodeOptions),
				[CHILD_CONFIG_ENV]: JSON.stringify(child),
			},
		};
	};
}

/** Where this process looks for a free slot next: slots are claimed in order, and never given back in a session. */
let nextSlot = 1;

/**
 * A slot no other process of the session holds, claimed by a file made exclusively in the monitor's private
 * directory: the parent claims `<slot>` as it starts the child, the child `<slot>.taken` as it starts, so two
 * Node processes a shell line started with one environment (`node a.js | node b.js`) are not both the lane.
 */
export function claimSlot(lanes: LaneSocket, suffix: string, from = nextSlot): number | null {
	for (let slot = from; slot <= MAX_PROCESS_SLOT; slot++) {
		try {
			closeSync(openSync(join(lanes.directory, `${slot}${suffix}`), 'wx', 0o600));
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST' && !suffix) continue;
			// The monitor is gone (its directory with it), or the slot is another process's.
			return null;
		}
		if (!suffix) nextSlot = slot + 1;
		return slot;
	}
	return null;
}

/**
 * In a followed child, before its code runs: the config is taken out of the environment and NODE_OPTIONS is
 * put back as the parent gave it. The lane is this process's if it claims the slot; null otherwise, and null in a
 * Node too old for asyncmon's loader hooks (`node` on the PATH need not be the Node that runs asyncmon).
 */
export function restoreChildEnvironment(config: ChildConfig): LaneConfig | null {
	delete process.env[CHILD_CONFIG_ENV];
	const lane = config.lane!;
	if (lane.nodeOptions === null) delete process.env.NODE_OPTIONS;
	else process.env.NODE_OPTIONS = lane.nodeOptions;
	if (typeof (module as {registerHooks?: unknown}).registerHooks !== 'function') return null;
	return config.lanes && claimSlot(config.lanes, '.taken', lane.slot) === lane.slot ? lane : null;
}
