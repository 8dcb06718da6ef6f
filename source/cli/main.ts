import {existsSync, realpathSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {UsageError} from './usage-error.js';
import {capYoungGeneration} from '../monitor/young-generation-cap.js';
import {limitHeapGrowth} from '../monitor/heap-growth.js';

/** A mistake the user can fix (bad arguments, a recording that cannot be read): one line, no stack. */
const EXIT_USAGE = 1;
/** EX_SOFTWARE (sysexits.h): asyncmon's own fault. */
const EXIT_INTERNAL = 70;

/**
 * Runs asyncmon's command and sets its exit code: the only place that does.
 * A command returns its code (the script's, for `run` and `demo`); an
 * error becomes one line on stderr, exit 1 if the user can fix it, else 70.
 */
export async function main(command: () => Promise<number>): Promise<void> {
	// A reader that went away (`| head`) ends the printing, not the script or its recording.
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code !== 'EPIPE') throw error;
	});
	try {
		if (nodeTooOld()) throw new UsageError(oldNodeAdvice(process.version, pinnedNodeBin(process.argv[1] ?? '')));
		capYoungGeneration();
		limitHeapGrowth();
		process.exitCode = await command();
	} catch (error) {
		const known = isUsersMistake(error);
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`asyncmon: ${known ? message : `internal error: ${message}`}\n`);
		// Our own bug: ASYNCMON_DEBUG=1 shows where, for a bug report.
		if (!known && process.env.ASYNCMON_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
		process.exitCode = known ? EXIT_USAGE : EXIT_INTERNAL;
	}
}

/**
 * Known by name: the sessions' errors come from modules only the commands that use them load, and a command
 * loaded later has its own copy of UsageError (see buildMonitor in scripts/build.mjs).
 */
const USERS_MISTAKES = new Set(['UsageError', 'SessionFileError', 'OutputFileError']);

function isUsersMistake(error: unknown): boolean {
	return error instanceof Error && USERS_MISTAKES.has(error.name);
}

/**
 * What to do under a Node too old. A clone of asyncmon has its pinned Node 24 (a devDependency) beside it: run from
 * anywhere (`node ~/asyncmon/dist/cli.js app.ts`, a linked `asyncmon`), it is that Node's directory to put first on
 * the PATH; `npx asyncmon` does so in the clone only.
 */
export function oldNodeAdvice(version: string, pinnedBin: string | null): string {
	const how = pinnedBin === null ? 'install it, or run asyncmon from a clone of it with `npx asyncmon …`' : `run it again with the project's Node 24 first on the PATH: PATH=${pinnedBin}:$PATH`;
	return `needs Node.js 22.19 or later, this is ${version}; ${how}`;
}

/** The directory of the Node that asyncmon's own clone pins, beside its `dist/cli.js` (or a link to it); null where it has none (an installed package). */
export function pinnedNodeBin(cli: string): string | null {
	try {
		const bin = join(dirname(dirname(realpathSync(cli))), 'node_modules', '.bin');
		return existsSync(join(bin, 'node')) ? bin : null;
	} catch {
		return null;
	}
}

/** module.registerHooks and undici 8 need 22.19; npm scripts and npx use the pinned node@24. */
function nodeTooOld(): boolean {
	const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
	return major < 22 || (major === 22 && minor < 19);
}
