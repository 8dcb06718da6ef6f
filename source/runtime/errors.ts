import {relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import type {ErrorInfo} from '../protocol/events.js';

const FRAME = /(?:\(|at )((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/;

/** Name, message, stack and the first frame in the user's own files. */
/** `runtimeDirectory` holds asyncmon's own bundle, whose frames are never the user's. */
export function describeError(error: unknown, cwd: string, runtimeDirectory: string): ErrorInfo {
	if (!(error instanceof Error)) return {name: typeof error, message: safeString(error)};
	const info: ErrorInfo = {name: error.name, message: error.message};
	if (typeof error.stack === 'string') {
		info.stack = error.stack;
		const location = firstUserFrame(error.stack, cwd, runtimeDirectory);
		if (location) info.location = location;
	}
	return info;
}

export function firstUserFrame(stack: string, cwd: string, runtimeDirectory: string): string | undefined {
	for (const line of stack.split('\n').slice(1)) {
		const match = FRAME.exec(line.trim());
		if (!match) continue;
		const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
		if (file.includes('/node_modules/') || file.startsWith(runtimeDirectory)) continue;
		return `${relative(cwd, file)}:${match[2]}:${match[3]}`;
	}
	return undefined;
}

function safeString(value: unknown): string {
	try {
		return String(value);
	} catch {
		return '<unprintable>';
	}
}
