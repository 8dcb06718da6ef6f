import {findSourceMap, type SourceMap} from 'node:module';
import {isAbsolute} from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {standIn} from './function-source.js';
import {ownFiles} from './own-files.js';

type PrepareStackTrace = (error: Error, trace: NodeJS.CallSite[]) => unknown;

/**
 * Stacks as node writes them, at the script's own lines and columns. Node's formatter for code with source maps,
 * which asyncmon needs for the code it rewrote, names an ES module by its path where node writes its `file://`
 * URL, its top level `<anonymous> (…)` where node writes the place alone, and drops a method's `[as name]`: a
 * script that reads its own stack (its caller's file, from `at file:///…/app.mjs:2:13`) could not parse it. This
 * one writes each frame as V8 does under node, with the place the source map gives, and the error's first line as
 * Node's own formatter does (`Error [ERR_X]: …` for Node's errors). Frames of asyncmon's own code, under
 * `ownDirectory` (its wrappers of the Node functions it instruments: `process.exit`, `events.once`, a stream's
 * `write`), are left out, as node has none. It stands in for `Error.prepareStackTrace`, which is Node's function
 * already: code that sets its own, and puts it back, finds it as before.
 */
export function nodeFormattedStacks(ownDirectory: string): void {
	const descriptor = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
	const original = descriptor?.value as PrepareStackTrace | undefined;
	if (typeof original !== 'function') return;
	const isOwn = ownFiles(ownDirectory);
	const prepareStackTrace = standIn(function (this: unknown, error: Error, trace: NodeJS.CallSite[]): unknown {
		const header = Reflect.apply(original, this, [error, []]);
		if (trace.length === 0 || typeof header !== 'string') return trace.length === 0 ? header : Reflect.apply(original, this, [error, trace]);
		const others = trace.filter(site => !isOwn(site.getFileName() ?? ''));
		// All of them asyncmon's: an error of its own, told whole.
		const frames = others.length > 0 ? others : trace;
		const maps = new Map<string, SourceMap | undefined>();
		return `${header}\n    at ${frames.map(site => mappedFrame(site, maps)).join('\n    at ')}`;
	}, original);
	Object.defineProperty(Error, 'prepareStackTrace', {...descriptor, value: prepareStackTrace});
}

/** V8's own text of the frame, its place taken from the file's source map where it has one (and can be read). */
function mappedFrame(site: NodeJS.CallSite, maps: Map<string, SourceMap | undefined>): string {
	const text = String(site);
	try {
		return mappedText(site, text, maps);
	} catch {
		return text;
	}
}

function mappedText(site: NodeJS.CallSite, text: string, maps: Map<string, SourceMap | undefined>): string {
	const file = site.getFileName();
	const line = site.getLineNumber();
	const column = site.getColumnNumber();
	if (!file || line === null || column === null) return text;
	if (!maps.has(file)) maps.set(file, findSourceMap(file));
	const entry = maps.get(file)?.findEntry(line - 1, column - 1);
	if (!entry || !('originalSource' in entry) || entry.originalLine === undefined || entry.originalColumn === undefined) return text;
	const at = `${file}:${line}:${column}`;
	const index = text.lastIndexOf(at);
	if (index < 0) return text;
	return `${text.slice(0, index)}${asNodeNamesIt(entry.originalSource, file)}:${entry.originalLine + 1}:${entry.originalColumn + 1}${text.slice(index + at.length)}`;
}

/** The original source as node names the file: a `file://` URL where the frame's own file is one (an ES module), a path otherwise. */
function asNodeNamesIt(source: string, file: string): string {
	const url = file.startsWith('file://');
	if (url && !source.startsWith('file://') && isAbsolute(source)) return pathToFileURL(source).href;
	if (!url && source.startsWith('file://')) return fileURLToPath(source);
	return source;
}
