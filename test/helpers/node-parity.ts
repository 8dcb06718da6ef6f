import {type ChildProcess, spawn} from 'node:child_process';
import type {Readable} from 'node:stream';
import {outputBytes} from '../../source/protocol/output-bytes.js';
import {readSession} from '../../source/sessions/reader.js';
import {readRecording} from './recorded.js';
import {startCli} from './run-cli.js';
import {tempFile} from './temp.js';

export interface Outcome {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** An outcome byte for byte, for output that need not be text. */
export interface ByteOutcome {
	code: number | null;
	stdout: Buffer;
	stderr: Buffer;
}

interface Started {
	child: ChildProcess;
	result: Promise<ByteOutcome>;
}

/** `node script args…`, as the user would run it without asyncmon, in the environment `startCli` gives asyncmon (no colours). */
function startNode(script: string, args: string[], cwd: string): Started {
	const child = spawn(process.execPath, [script, ...args], {cwd, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']});
	const stdout: Buffer[] = [];
	const stderr: Buffer[] = [];
	child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
	child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
	return {child, result: new Promise(resolve => child.once('close', code => resolve({code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr)})))};
}

export async function runNode(script: string, args: string[], cwd: string): Promise<Outcome> {
	return asText(await runNodeBytes(script, args, cwd));
}

export function runNodeBytes(script: string, args: string[], cwd: string): Promise<ByteOutcome> {
	return startNode(script, args, cwd).result;
}

/** `asyncmon --record FILE script args…`, started; `finished` gives its outcome as `underAsyncmonBytes` does. */
function startAsyncmon(script: string, args: string[], cwd: string) {
	const file = tempFile('session.ndjson');
	const {child, result} = startCli(['--record', file, script, ...args], {cwd});
	const finished = async () => {
		const monitored = await result;
		const asyncmon: ByteOutcome = {code: monitored.code, ...(await recordedOutput(file))};
		return {asyncmon, monitored, file, ...(await readRecording(file))};
	};
	return {child, finished};
}

/** `asyncmon --record FILE script args…`: its exit code with the script's output as the recording holds it, and the recording's report. */
export async function underAsyncmon(script: string, args: string[], cwd: string) {
	const {asyncmon, ...run} = await startAsyncmon(script, args, cwd).finished();
	return {asyncmon: asText(asyncmon), ...run};
}

/** The same script under node and under `asyncmon --record`: node's outcome, and asyncmon's as `underAsyncmon` gives it. */
export async function underNodeAndAsyncmon(script: string, args: string[], cwd: string) {
	const {node, asyncmon, ...run} = await underNodeAndAsyncmonBytes(script, args, cwd);
	return {node: asText(node), asyncmon: asText(asyncmon), ...run};
}

/** underNodeAndAsyncmon, byte for byte. */
export async function underNodeAndAsyncmonBytes(script: string, args: string[], cwd: string) {
	const node = await runNodeBytes(script, args, cwd);
	return {node, ...(await startAsyncmon(script, args, cwd).finished())};
}

/**
 * A server script under node, then under `asyncmon --record`, as a process manager runs one: each run is driven
 * (`drive`, e.g. a load generator) once its stdout says `ready`, then sent SIGTERM and awaited. Under asyncmon the
 * signal goes to asyncmon, which forwards it. What `drive` returned for each run comes back with the outcomes.
 */
export async function servedUnderNodeAndAsyncmon<T>(script: string, args: string[], cwd: string, ready: string, drive: () => Promise<T>) {
	const underNode = startNode(script, args, cwd);
	const nodeDriven = await serve(underNode.child, ready, drive);
	const node = asText(await underNode.result);
	const underAsyncmon = startAsyncmon(script, args, cwd);
	const asyncmonDriven = await serve(underAsyncmon.child, ready, drive);
	const {asyncmon, ...run} = await underAsyncmon.finished();
	return {node, nodeDriven, asyncmonDriven, asyncmon: asText(asyncmon), ...run};
}

async function serve<T>(child: ChildProcess, ready: string, drive: () => Promise<T>): Promise<T> {
	try {
		await appears(child.stdout!, ready);
		return await drive();
	} finally {
		child.kill('SIGTERM');
	}
}

/** Resolves once `text` has been written to `stream`; rejects if the stream ends first. */
function appears(stream: Readable, text: string): Promise<void> {
	let seen = '';
	return new Promise((resolve, reject) => {
		const onData = (chunk: Buffer | string) => {
			seen += String(chunk);
			if (!seen.includes(text)) return;
			stream.off('data', onData).off('end', onEnd);
			resolve();
		};
		const onEnd = () => reject(new Error(`the server ended before it wrote ${JSON.stringify(text)}; it wrote:\n${seen}`));
		stream.on('data', onData).once('end', onEnd);
	});
}

/**
 * The script's stdout and stderr, reassembled byte for byte from a recording's output events; with `lane`, that
 * followed process's copy of its own instead (which the script's holds too, when the process shares its pipes).
 */
export async function recordedOutput(file: string, lane?: number): Promise<{stdout: Buffer; stderr: Buffer}> {
	const chunks = {stdout: [] as Buffer[], stderr: [] as Buffer[]};
	for await (const line of readSession(file)) if (line.type === 'output' && line.lane === lane) chunks[line.stream].push(outputBytes(line));
	return {stdout: Buffer.concat(chunks.stdout), stderr: Buffer.concat(chunks.stderr)};
}

function asText({code, stdout, stderr}: ByteOutcome): Outcome {
	return {code, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8')};
}
