import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {CHILD_CONFIG_ENV, type ChildConfig} from '../../source/protocol/child-config.js';
import {IDS_PER_PROCESS} from '../../source/protocol/events.js';
import {claimSlot, followChildren, restoreChildEnvironment} from '../../source/runtime/follow.js';
import {tempDir} from '../helpers/temp.js';

const lanesIn = (directory: string) => ({directory, socket: join(directory, 'lanes.sock')});
const config = (lanes: ReturnType<typeof lanesIn> | null): ChildConfig => ({
	script: '/app/main.js',
	scriptName: 'main.js',
	eventsFd: 3,
	watchdogFd: 4,
	blockThresholdMs: 50,
	redact: true,
	monitorPid: 1,
	traceId: 'a'.repeat(32),
	propagateTrace: false,
	foldQuickTasks: true,
	addedEnv: [],
	lanes,
});

const savedOptions = process.env.NODE_OPTIONS;
afterEach(() => {
	if (savedOptions === undefined) delete process.env.NODE_OPTIONS;
	else process.env.NODE_OPTIONS = savedOptions;
	delete process.env[CHILD_CONFIG_ENV];
});

describe('follow', () => {
	it('gives each child a slot no other process of the session holds, and its lane the ids of that slot', () => {
		const lanes = lanesIn(tempDir());
		const follow = followChildren(config(lanes), 1000, '/dist/preload.js')!;
		const given = {PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=64'};
		const first = follow(given, 'node a.js', 5)!;
		// Another process of the session claimed the next slot meanwhile.
		expect(claimSlot(lanes, '')).toBe(2);
		const second = follow(undefined, 'node b.js', 6)!;
		expect([first.root, second.root]).toEqual([IDS_PER_PROCESS + 1, 3 * IDS_PER_PROCESS + 1]);
		expect(first.env.PATH).toBe('/bin');
		expect(first.env.NODE_OPTIONS).toBe('--require="/dist/preload.js" --max-semi-space-size=8 --max-old-space-size=64');
		// What the caller gave is left as it was.
		expect(given).toEqual({PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=64'});
		// No env given: the parent's, with asyncmon's own added.
		expect(second.env.NODE_OPTIONS).toBe('--require="/dist/preload.js" --max-semi-space-size=8');
		const child = JSON.parse(first.env[CHILD_CONFIG_ENV]!) as ChildConfig;
		expect(child.lane).toEqual({slot: 1, startedBy: 5, command: 'node a.js', startedAt: 1000, nodeOptions: '--max-old-space-size=64'});
		expect(child.lanes).toEqual(lanes);
		expect(child.eventsFd).toBe(-1);
	});

	it('follows nothing without the monitor\'s socket (--no-follow, the agent)', () => {
		expect(followChildren(config(null), 0, '/dist/preload.js')).toBeNull();
	});

	it("in the child: the environment is put back as its parent gave it, and the lane is the first process's that claims it", () => {
		const lanes = lanesIn(tempDir());
		const {env} = followChildren(config(lanes), 0, '/dist/preload.js')!({}, 'node a.js', 1)!;
		const child = JSON.parse(env[CHILD_CONFIG_ENV]!) as ChildConfig;
		process.env[CHILD_CONFIG_ENV] = env[CHILD_CONFIG_ENV];
		process.env.NODE_OPTIONS = env.NODE_OPTIONS;
		expect(restoreChildEnvironment(child)?.slot).toBe(child.lane!.slot);
		expect(process.env[CHILD_CONFIG_ENV]).toBeUndefined();
		expect(process.env.NODE_OPTIONS).toBeUndefined();
		// A second Node process started with the same environment (`node a.js | node a.js`) runs unwatched.
		expect(restoreChildEnvironment(child)).toBeNull();
	});
});
