import {spawn, type ChildProcess} from 'node:child_process';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli.js');
export const SCRIPTS = join(ROOT, 'test/fixtures/scripts');

export interface CliResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

export interface CliRun {
	child: ChildProcess;
	result: Promise<CliResult>;
}

export interface CliOptions {
	cwd?: string;
	env?: Record<string, string>;
}

/** Starts the real CLI (the built dist/cli.js) on the same Node as the tests, with no terminal attached. */
export function startCli(args: string[], options: CliOptions = {}): CliRun {
	const child = spawn(process.execPath, [CLI, ...args], {
		cwd: options.cwd ?? SCRIPTS,
		env: {...process.env, NO_COLOR: '1', ...options.env},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
	child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
	const result = new Promise<CliResult>(resolve => {
		child.once('close', (code, signal) => resolve({code, signal, stdout, stderr}));
	});
	return {child, result};
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
	return startCli(args, options).result;
}

