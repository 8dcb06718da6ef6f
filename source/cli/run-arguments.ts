import {isAbsolute} from 'node:path';
import {RETENTION_OPTIONS, type RetentionArgs} from './retention-arguments.js';

/**
 * The options of `asyncmon [run]` and `asyncmon demo`, declared once: yargs
 * is configured from this table, and the quick path that reads a plain
 * `asyncmon script.ts` without loading yargs reads it too.
 */
export const RUN_OPTIONS = {
	plain: {type: 'boolean', default: false, describe: 'Print lines instead of the dashboard (automatic when stdout is not a terminal)'},
	record: {type: 'string', describe: 'Record the session to this file (NDJSON, mode 0600)'},
	redact: {type: 'boolean', default: true, describe: 'Redact URL credentials and token-like query values in events (--no-redact keeps them)'},
	follow: {type: 'boolean', default: true, describe: 'Follow the Node processes the script starts, each a lane under the task that started it (--no-follow leaves them unwatched)'},
	'block-threshold': {type: 'number', describe: "A synchronous slice longer than this many ms is a block (default 50, or --fail-on-block's budget when that is lower)"},
	'fail-on-block': {type: 'number', describe: 'Exit with code 3 when the script succeeds but a block lasted longer than this many ms'},
	'exit-on-end': {type: 'boolean', default: false, describe: 'Close the dashboard as soon as the script ends'},
	ascii: {type: 'boolean', default: false, describe: 'ASCII alone: icons, bars, and a stand-in for every other character shown'},
	...RETENTION_OPTIONS,
	otlp: {type: 'string', describe: 'Send spans live to this OpenTelemetry collector (OTLP/HTTP base URL, e.g. http://127.0.0.1:4318)'},
	'otlp-propagate': {type: 'boolean', default: false, describe: "Add a W3C traceparent header to the script's outgoing HTTP requests, so the services it calls join its trace"},
} as const;

type RunOptionName = keyof typeof RUN_OPTIONS;

export interface RunArgs extends RetentionArgs {
	plain: boolean;
	record?: string;
	redact: boolean;
	follow: boolean;
	/** Unset: DEFAULT_BLOCK_THRESHOLD_MS, or a lower --fail-on-block (see blockThresholdOf). */
	blockThreshold?: number;
	failOnBlock?: number;
	exitOnEnd: boolean;
	ascii: boolean;
	/** The OTLP collector's base URL. */
	otlp?: string;
	otlpPropagate: boolean;
}

const COMMANDS = new Set(['run', 'demo', 'report', 'replay', 'diff', 'ps', 'connect']);

const camelCase = (name: string): string => name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

function optionOf(arg: string): {name: RunOptionName; negated: boolean} | null {
	if (!arg.startsWith('--')) return null;
	const negated = arg.startsWith('--no-');
	const name = (negated ? arg.slice(5) : arg.slice(2)) as RunOptionName;
	const spec = RUN_OPTIONS[name];
	if (!spec || (negated && spec.type !== 'boolean')) return null;
	return {name, negated};
}

/**
 * Everything after the script belongs to the script, options included: `asyncmon app.ts --port 3000`.
 * `--` ends asyncmon's options: what follows is the script, whatever its name (`asyncmon -- -x.ts`).
 */
export function splitAtScript(argv: string[]): {own: string[]; scriptArgs: string[]} {
	let seenRun = false;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') return {own: argv.slice(0, i + 2), scriptArgs: argv.slice(i + 2)};
		if (arg.startsWith('-')) {
			const option = optionOf(arg);
			if (option && RUN_OPTIONS[option.name].type !== 'boolean') i++;
			continue;
		}
		if (!seenRun && arg === 'run') {
			seenRun = true;
			continue;
		}
		if (!seenRun && COMMANDS.has(arg)) break;
		return {own: argv.slice(0, i + 1), scriptArgs: argv.slice(i + 1)};
	}
	return {own: argv, scriptArgs: []};
}

/** A file name of the kinds asyncmon runs. */
const SCRIPT_NAME = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/**
 * When no script is named: the option whose value looks like one (`--fail-on-block app.ts`, its number
 * forgotten), to say so rather than ask for a script the user did name.
 */
export function scriptTakenAsValue(argv: readonly string[]): {option: string; value: string} | null {
	for (let i = 0; i < argv.length - 1; i++) {
		const option = optionOf(argv[i]!);
		if (option && RUN_OPTIONS[option.name].type !== 'boolean' && SCRIPT_NAME.test(argv[i + 1]!)) return {option: argv[i]!, value: argv[i + 1]!};
	}
	return null;
}

/**
 * `own` as yargs can read it: yargs binds no positional after `--`, so a
 * script named there goes in as a path it cannot take for an option or a
 * command (`-x.ts` as `./-x.ts`).
 */
export function forYargs(own: string[]): string[] {
	if (own[own.length - 2] !== '--') return own;
	const script = own[own.length - 1]!;
	return [...own.slice(0, -2), isAbsolute(script) ? script : `./${script}`];
}

/**
 * `asyncmon [run] [options] script`, each option of RUN_OPTIONS at most once
 * and spelt as `--help` shows it, read without yargs (about 35 ms of start-up).
 * Anything else (another command, --help, `--x=y`, a typo) is null: yargs'
 * to read, errors included.
 */
export function quickRunArguments(own: string[]): {args: RunArgs; script: string} | null {
	const script = own[own.length - 1];
	const named = own[own.length - 2] === '--';
	if (!script || (!named && (script.startsWith('-') || COMMANDS.has(script)))) return null;
	const end = own.length - (named ? 2 : 1);
	const values: Record<string, unknown> = {};
	for (const [name, spec] of Object.entries(RUN_OPTIONS)) if ('default' in spec) values[camelCase(name)] = spec.default;
	const seen = new Set<string>();
	for (let i = own[0] === 'run' ? 1 : 0; i < end; i++) {
		const option = optionOf(own[i]!);
		if (!option || seen.has(option.name)) return null;
		seen.add(option.name);
		const spec = RUN_OPTIONS[option.name];
		const key = camelCase(option.name);
		if (spec.type === 'boolean') {
			values[key] = !option.negated;
			continue;
		}
		const value = own[++i];
		if (value === undefined || i >= end || value.startsWith('-')) return null;
		if (spec.type === 'string') {
			values[key] = value;
			continue;
		}
		const number = Number(value);
		if (value.trim() === '' || Number.isNaN(number)) return null;
		values[key] = number;
	}
	return {args: values as unknown as RunArgs, script};
}

/** For `asyncmon [run] …`: the first option that is not one of asyncmon's, which yargs would take for a flag with a value. */
export function unknownRunOption(own: string[]): string | undefined {
	if (own[0] !== undefined && own[0] !== 'run' && COMMANDS.has(own[0])) return undefined;
	for (let i = 0; i < own.length; i++) {
		const arg = own[i]!;
		// What follows is the script.
		if (arg === '--') return undefined;
		// Run options may come before another command (`--plain demo --slow 2`): its own options are yargs' to check.
		if (arg !== 'run' && COMMANDS.has(arg)) return undefined;
		if (!arg.startsWith('-') || arg === '--help' || arg === '--version') continue;
		const option = optionOf(arg.split('=')[0]!);
		if (!option) return arg;
		// A value may look like an option (`--block-threshold -5`): it is yargs' to judge, not a name.
		if (RUN_OPTIONS[option.name].type !== 'boolean' && !arg.includes('=')) i++;
	}
	return undefined;
}
