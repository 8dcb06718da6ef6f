import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll} from 'vitest';
import {agentFiles, type AgentFiles} from '../../source/protocol/agent.js';
import {ROOT, SCRIPTS} from './run-cli.js';
import {tempDir} from './temp.js';

export const AGENT = join(ROOT, 'dist/agent.js');

export interface Service {
	child: ChildProcess;
	pid: number;
	/** `http://127.0.0.1:PORT` */
	url: string;
	/** The runtime directory the agent was given (XDG_RUNTIME_DIR): pass it to the CLI too. */
	runtimeDir: string;
	files: AgentFiles;
	stdout(): string;
	stderr(): string;
	exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
	/** GET `path`: the status and the body. */
	get(path: string): Promise<{status: number; body: string}>;
}

const started: ChildProcess[] = [];
afterAll(() => {
	for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * test/fixtures/scripts/agent-service.mjs under `node --import dist/agent.js` (or plain node, `agent: false`),
 * in a runtime directory of its own; resolves once it listens (and, under the agent, once its agent does).
 */
export async function startService(options: {agent?: boolean; env?: Record<string, string>; script?: string} = {}): Promise<Service> {
	const runtimeDir = tempDir();
	const agent = options.agent ?? true;
	const child = spawn(process.execPath, [...(agent ? ['--import', AGENT] : []), options.script ?? 'agent-service.mjs'], {
		cwd: SCRIPTS,
		env: {...process.env, XDG_RUNTIME_DIR: runtimeDir, ...options.env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	started.push(child);
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
	child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
	const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>(resolve => child.once('close', (code, signal) => resolve({code, signal})));
	const files = agentFiles(join(runtimeDir, `asyncmon-${process.getuid!()}`), child.pid!);
	const service: Service = {
		child,
		pid: child.pid!,
		url: '',
		runtimeDir,
		files,
		stdout: () => stdout,
		stderr: () => stderr,
		exited,
		async get(path) {
			const response = await fetch(`${service.url}${path}`);
			return {status: response.status, body: await response.text()};
		},
	};
	const deadline = Date.now() + 20_000;
	for (;;) {
		const port = /listening (\d+)/.exec(stdout)?.[1];
		if (port && (!agent || existsSync(files.meta))) {
			service.url = `http://127.0.0.1:${port}`;
			return service;
		}
		if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the service did not start; stdout: ${stdout}; stderr: ${stderr}`);
		await new Promise(resolve => setTimeout(resolve, 25));
	}
}

/** `until` is true, looked at every 25 ms, within a generous time. */
export async function eventually(what: string, until: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await until())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, 25));
	}
}
