import {randomBytes} from 'node:crypto';
import {newTraceId} from '../protocol/trace-context.js';
import {isAbsolute, relative} from 'node:path';
import {isMainThread} from 'node:worker_threads';
import {AGENT_LISTEN_ENV, agentDirectory, agentFiles, loopbackAddress, makePrivateDirectory, removeAgentFiles, type AgentMeta} from '../protocol/agent.js';
import {instrumentThread, type AgentPlan} from './instrument.js';
import {hostPort} from './host-port.js';

/** The block threshold of `asyncmon app.js`'s default. */
const BLOCK_THRESHOLD_MS = 50;

/**
 * `node --import asyncmon/agent app.js`: the script runs as under node, instrumented as `asyncmon app.js`
 * would run it, and its events go to the agent's thread (agent-thread.ts), which serves them to
 * `asyncmon connect` on a private socket. In the script's worker threads, it instruments them like the preload.
 */
if (!isMainThread) {
	instrumentThread(import.meta.url, null);
} else {
	const plan = agentPlan();
	if (plan) {
		const script = process.argv[1]!;
		instrumentThread(
			import.meta.url,
			{
				script,
				scriptName: plan.meta.script,
				eventsFd: -1,
				watchdogFd: -1,
				blockThresholdMs: BLOCK_THRESHOLD_MS,
				redact: true,
				monitorPid: 0,
				startedAt: plan.meta.startedAt,
				// A trace of the service's own, for a client that exports spans; the agent never adds headers to its requests.
				traceId: newTraceId(),
				propagateTrace: false,
				foldQuickTasks: true,
				agent: plan,
			},
			() => removeAgentFiles(plan.files),
		);
	}
}

/** Where to listen, or null (said on stderr) when the agent cannot listen safely: the script then runs untouched. */
function agentPlan(): AgentPlan | null {
	const script = process.argv[1];
	// `node --import asyncmon/agent` with no script (a REPL, `-e`): nothing to watch.
	if (!script) return null;
	const directory = agentDirectory();
	const problem = makePrivateDirectory(directory);
	if (problem) {
		process.stderr.write(`asyncmon agent: not listening: ${problem}\n`);
		return null;
	}
	const files = agentFiles(directory, process.pid);
	const cwd = process.cwd();
	const inside = relative(cwd, script);
	const meta: AgentMeta = {
		pid: process.pid,
		script: inside.startsWith('..') || isAbsolute(inside) ? script : inside,
		cwd,
		node: process.version,
		startedAt: performance.timeOrigin + performance.now(),
		socket: files.socket,
		tcp: null,
	};
	return {files, tcp: tcpPlan(meta), meta};
}

function tcpPlan(meta: AgentMeta): AgentPlan['tcp'] {
	const listen = process.env[AGENT_LISTEN_ENV];
	if (!listen) return null;
	const address = loopbackAddress(listen);
	if (typeof address === 'string') {
		process.stderr.write(`asyncmon agent: ${AGENT_LISTEN_ENV}: ${address}; not listening on TCP\n`);
		return null;
	}
	meta.tcp = hostPort(address.host, address.port);
	return {...address, token: randomBytes(32).toString('hex')};
}
