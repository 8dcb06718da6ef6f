import {type ChildProcess, spawn} from 'node:child_process';
import type {Readable} from 'node:stream';
import {readSession} from '../../source/sessions/reader.js';
import {readRecording} from './recorded.js';
import {startCli} from './run-cli.js';
import {tempFile} from './temp.js';

export interface Outcome {
	code: number | null;
	stdout: string;
	stderr: string;
}

interface Started {
	child: ChildProcess;
	result: Promise<Outcome>;
}

/** `node script args…`, as the user would run it without asyncmon. */
function startNode(script: string, args: string[], cwd: string): Started {
	const child = spawn(process.execPath, [script, ...args], {cwd, stdio: ['ignore', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
	child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
	return {child, result: new Promise(resolve => child.once('close', code => resolve({code, stdout, stderr})))};
}

export function runNode(script: string, args: string[], cwd: string): Promise<Outcome> {
	return startNode(script, args, cwd).result;
}

/** `asyncmon --record FILE script args…`, started; `finished` gives its outcome as `underAsyncmon` does. */
function startAsyncmon(script: string, args: string[], cwd: string) {
	const file = tempFile('session.ndjson');
	const {child, result} = startCli(['--record', file, script, ...args], {cwd});
	const finished = async () => {
		const monitored = await result;
		const asyncmon: Outcome = {code: monitored.code, ...(await recordedOutput(file))};
		return {asyncmon, monitored, ...(await readRecording(file))};
	};
	return {child, finished};
}

/** `asyncmon --record FILE script args…`: its exit code with the script's output as the recording holds it, and the recording's report. */
export function underAsyncmon(script: string, args: string[], cwd: string) {
	return startAsyncmon(script, args, cwd).finished();
}

/** The same script under node and under `asyncmon --record`: node's outcome, and asyncmon's as `underAsyncmon` gives it. */
export async function underNodeAndAsyncmon(script: string, args: string[], cwd: string) {
	const node = await runNode(script, args, cwd);
	return {node, ...(await underAsyncmon(script, args, cwd))};
}

/**
 * A server script under node, then under `asyncmon --record`, as a process manager runs one: each run is driven
 * (`drive`, e.g. a load generator) once its stdout says `ready`, then sent SIGTERM and awaited. Under asyncmon the
 * signal goes to asyncmon, which forwards it. What `drive` returned for each run comes back with the outcomes.
 */
export async function servedUnderNodeAndAsyncmon<T>(script: string, args: string[], cwd: string, ready: string, drive: () => Promise<T>) {
	const underNode = startNode(script, args, cwd);
	const nodeDriven = await serve(underNode.child, ready, drive);
	const node = await underNode.result;
	const underAsyncmon = startAsyncmon(script, args, cwd);
	const asyncmonDriven = await serve(underAsyncmon.child, ready, drive);
	return {node, nodeDriven, asyncmonDriven, ...(await underAsyncmon.finished())};
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

/** The script's stdout and stderr as the recording holds them. */
async function recordedOutput(file: string): Promise<Pick<Outcome, 'stdout' | 'stderr'>> {
	const output = {stdout: '', stderr: ''};
	for await (const line of readSession(file)) if (line.type === 'output') output[line.stream] += line.text;
	return output;
}
