import {findSourceMap} from 'node:module';
import {relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {ANONYMOUS, type Location, type StackFrame} from '../protocol/events.js';
import {SYNC_CHILD_CALLS} from './ops/child-processes.js';
import {ownFiles} from './own-files.js';

type CallSites = NodeJS.CallSite[];

/**
 * The call sites above `fn`. Structured call sites skip stack formatting,
 * which is most of a stack trace's cost.
 */
function callSites(fn: Function, limit: number): CallSites {
	const previous = Error.prepareStackTrace;
	const previousLimit = Error.stackTraceLimit;
	Error.prepareStackTrace = (_error, sites) => sites;
	Error.stackTraceLimit = limit;
	const holder: {stack?: CallSites} = {};
	try {
		Error.captureStackTrace(holder, fn);
		// The stack is formatted when first read: read it while the structured formatter is in place.
		return holder.stack ?? [];
	} finally {
		Error.prepareStackTrace = previous;
		Error.stackTraceLimit = previousLimit;
	}
}

const isUserFile = (file: string): boolean => file !== '' && !file.startsWith('node:') && !file.includes('/node_modules/');

/** Whether the code that called `fn` is the user's own (not node_modules, not Node's internals); cheap enough for every timer. */
export function calledFromUserCode(fn: Function): boolean {
	return isUserFile(callSites(fn, 1)[0]?.getFileName() ?? '');
}

/** How far up the stack to look for the user's own frame, past a framework's. */
const USER_FRAME_DEPTH = 16;

/**
 * Where the user's own code led to this call of `fn` (a framework in
 * node_modules may be in between): `path:line:col` in the original file,
 * relative to `cwd`. For rare calls: it reads a stack and a source map.
 */
export function userCallSite(fn: Function, cwd: string): Location | null {
	const site = callSites(fn, USER_FRAME_DEPTH).find(candidate => isUserFile(candidate.getFileName() ?? ''));
	return site ? originalLocation(site, cwd) : null;
}

/** A stack as the user reads it: the user's own frames, and whether asyncmon's own code was the innermost. */
export interface UserStack {
	frames: StackFrame[];
	/** The code under way was asyncmon's (its instrumentation of a call): no sample of the user's work. */
	inOwnCode: boolean;
	/** Node was loading a module under the user's innermost frame (a `require()` or an import under way): its modules' top levels run, not the user's own work. */
	loading: boolean;
	/**
	 * While loading, with no frame of the user's above the loader: the outermost frame of a library's, whose code the
	 * loading runs under (`node_modules/sdk/index.js:4:7`): the top level of the module an import loads, or the
	 * library's function that called `require()` (NestFactory.create's lazy one). The same place in every read, where
	 * the module whose top level runs changes as the loading goes on, and no module's runs while Node resolves one.
	 */
	module: Location | null;
	/**
	 * The function of Node's own that the user's innermost frame called and was still in, by the name it was called
	 * by, with its public module (`execSync` of `node:child_process`, `pbkdf2Sync` of `node:crypto`, whose code is in
	 * node:internal/crypto): a synchronous call that waits or computes in native code. Or a JavaScript built-in the
	 * thread was in, by its object (`wait` of `Atomics`). Null where a library's frame came in between.
	 */
	callee: StackFrame | null;
	/** No frame of the user's and no module loading: the innermost frame of a library's file, where the thread was. */
	library: StackFrame | null;
	/** The read came once the block was over: no sample of it (see LoopWatch.readBlockedStack). */
	over?: true;
	/** No task of the script's was running: the task whose async context the code ran in (see LoopWatch.contextTask). */
	task?: number;
}

/**
 * The user's own frames of the synchronous stack below `fn`, innermost first, at most `maxFrames` of the first `depth`:
 * each function's name and its place in the original file. `ownDirectory` holds asyncmon's bundle, outside
 * node_modules when it runs from a checkout of its repository.
 */
export function userStack(fn: Function, paths: {cwd: string; ownDirectory: string}, maxFrames: number, depth: number): UserStack {
	const frames: StackFrame[] = [];
	const isOwn = ownFiles(paths.ownDirectory);
	let inOwnCode: boolean | null = null;
	let loading = false;
	/** The innermost frame of a module file, the user's or a library's, and the outermost one that is no caller awaiting. */
	let innermostFile: NodeJS.CallSite | null = null;
	let outermostFile: NodeJS.CallSite | null = null;
	/** Under the user's innermost frame: the frame it called, so far (the outermost of those under it, innermost first). */
	let callee: StackFrame | null = null;
	/** No frame read yet but asyncmon's own (its wrapper of Atomics.wait, say). */
	let innermost = true;
	for (const site of callSites(fn, depth)) {
		const named = site.getFileName();
		const file = named ?? '';
		// The inspector runs the watchdog's reader of this stack as a script named '', in an interrupt of the blocked code.
		const own = named === '' || isOwn(file);
		// A built-in the thread is in (Atomics.wait) has no file at all. One further out called the code the thread is in.
		if (named == null && innermost) callee = builtinCallee(site);
		// asyncmon's wrapper of spawnSync, which the script called: a stack read as the child's wait ends lands in it.
		if (own && frames.length === 0 && SYNC_CHILD_CALLS.has(site.getFunctionName() ?? '')) callee = {fn: site.getFunctionName()!, loc: 'node:child_process'};
		if (!own) innermost = false;
		if (file !== '') inOwnCode ??= own;
		if (file !== '' && !file.startsWith('node:') && !own) {
			innermostFile ??= site;
			// An async frame is a caller awaiting (the script's function that awaits the library's), no part of the loading.
			if (!site.isAsync()) outermostFile = site;
		}
		// Node's module loader inside the user's code: the code under way is a module's loading, its top level run. Under the
		// entry's own top level too, which runs in the loader, so only above the user's innermost frame.
		if (frames.length === 0 && file.startsWith(MODULE_LOADER)) loading = true;
		if (frames.length === 0 && !own && !isUserFile(file) && file !== '') callee = file.startsWith('node:') ? nodeCallee(site, file) : null;
		// An async frame is a caller awaiting, not one of the calls under way.
		if (site.isAsync() || !isUserFile(file) || own) continue;
		frames.push({fn: site.getFunctionName() || ANONYMOUS, loc: originalLocation(site, paths.cwd)});
		if (frames.length === maxFrames) break;
	}
	const library = frames.length === 0 && innermostFile !== null;
	return {
		frames,
		inOwnCode: inOwnCode ?? false,
		loading,
		module: library && loading ? originalLocation(outermostFile ?? innermostFile!, paths.cwd) : null,
		callee: frames.length > 0 ? callee : null,
		library: library && !loading ? {fn: innermostFile!.getFunctionName() || ANONYMOUS, loc: originalLocation(innermostFile!, paths.cwd)} : null,
	};
}

/**
 * A frame of Node's own as the script called it: by the property it was called through where there is one
 * (`zlib.gzipSync` runs a function named syncBufferWrapper), in the public module its internal one serves
 * (node:internal/crypto/pbkdf2 is `node:crypto`'s).
 */
function nodeCallee(site: NodeJS.CallSite, file: string): StackFrame {
	const internal = /^node:internal\/([^/]+)/.exec(file);
	return {fn: site.getMethodName() || site.getFunctionName() || ANONYMOUS, loc: internal ? `node:${internal[1]}` : file};
}

/** A JavaScript built-in, by its object: `{fn: 'wait', loc: 'Atomics'}`. */
function builtinCallee(site: NodeJS.CallSite): StackFrame {
	return {fn: site.getFunctionName() || ANONYMOUS, loc: site.getTypeName() ?? ''};
}

/** Where Node's loaders of CommonJS and ES modules are (node:internal/modules/cjs/loader, …/esm/module_job, …). */
const MODULE_LOADER = 'node:internal/modules/';

const pathOf = (file: string): string => (file.startsWith('file:') ? fileURLToPath(file) : file);

function originalLocation(site: NodeJS.CallSite, cwd: string): Location {
	const file = site.getFileName() ?? '';
	let line = site.getLineNumber() ?? 1;
	let column = site.getColumnNumber() ?? 1;
	const original = findSourceMap(file)?.findEntry(line - 1, column - 1);
	// A line of a worker's eval code that asyncmon left as it was is unmapped (a bare column): it is where it was.
	if (original && 'originalLine' in original && original.originalLine !== undefined) {
		line = original.originalLine + 1;
		column = original.originalColumn + 1;
	}
	return `${relative(cwd, pathOf(file))}:${line}:${column}`;
}
