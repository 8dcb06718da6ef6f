import {UsageError} from './usage-error.js';

/**
 * `asyncmon node --env-file=.env --import ./otel.mjs app.js`: the command a project starts with, `node` and its own
 * options (`--env-file`, `-r dotenv/config`, `--conditions`, `--max-old-space-size=…`) before the script, as typed
 * after `asyncmon`. Node's options go to the script's process alone, not to asyncmon's (as NODE_OPTIONS would).
 */
export interface NodeCommand {
	script: string;
	args: string[];
	/** Node's options, in their order, each with its value where it takes one. */
	nodeOptions: string[];
}

/** `script` and `args` as named: a NodeCommand when the script named is `node`; null when it is a script. */
export function nodeCommand(script: string, args: readonly string[]): NodeCommand | null {
	if (script !== 'node') return null;
	const nodeOptions: string[] = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i]!;
		if (arg === '--') return withScript(args.slice(i + 1), nodeOptions);
		if (!arg.startsWith('-') || arg === '-') return withScript(args.slice(i), nodeOptions);
		const name = arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg;
		if (NOT_A_SCRIPT_RUN.has(name)) throw new UsageError(`node ${name} runs no script file, and asyncmon watches one: run it as node [options] script.js [args]`);
		nodeOptions.push(arg);
		if (!arg.includes('=') && TAKES_A_VALUE.has(arg)) {
			const value = args[++i];
			if (value === undefined) throw new UsageError(`node's ${arg} takes a value: give it, then the script (asyncmon node ${arg} <value> script.js)`);
			nodeOptions.push(value);
		}
	}
	throw new UsageError('name the script after node and its options: asyncmon node [options] script.js [args]');
}

function withScript(rest: readonly string[], nodeOptions: string[]): NodeCommand {
	const [script, ...args] = rest;
	if (script === undefined || script === '-') throw new UsageError('name the script after node and its options: asyncmon node [options] script.js [args]');
	return {script, args, nodeOptions};
}

/** Node's options written with their value apart (`-r dotenv/config`); any other takes none, or its value after `=`. */
const TAKES_A_VALUE = new Set([
	'-r',
	'--require',
	'--import',
	'--loader',
	'--experimental-loader',
	'-C',
	'--conditions',
	'--env-file',
	'--env-file-if-exists',
	'--input-type',
	'--title',
	'--disable-warning',
	'--redirect-warnings',
	'--unhandled-rejections',
	'--dns-result-order',
	'--diagnostic-dir',
	'--report-dir',
	'--report-directory',
	'--report-filename',
	'--report-signal',
	'--heapsnapshot-signal',
	'--cpu-prof-dir',
	'--cpu-prof-name',
	'--cpu-prof-interval',
	'--heap-prof-dir',
	'--heap-prof-name',
	'--heap-prof-interval',
	'--inspect-port',
	'--icu-data-dir',
	'--openssl-config',
	'--tls-keylog',
	'--tls-cipher-list',
	'--max-http-header-size',
	'--secure-heap',
	'--secure-heap-min',
	'--localstorage-file',
	'--experimental-config-file',
]);

/** What node runs instead of a script file: code given inline, a REPL, a check, a test runner, a package script. */
const NOT_A_SCRIPT_RUN = new Set(['-e', '--eval', '-p', '--print', '-i', '--interactive', '-c', '--check', '--test', '--run', '-v', '--version', '-h', '--help', '--v8-options', '--watch', '--watch-path', '--prof-process']);
