import dns from 'node:dns';
import fs from 'node:fs';
import {syncBuiltinESMExports} from 'node:module';
import {basename} from 'node:path';
import type {OpKind} from '../../protocol/events.js';
import {recordedText} from '../redact.js';
import type {Tracker} from '../tracker.js';

const FS_CALLS = ['readFile', 'writeFile', 'appendFile', 'readdir', 'stat', 'lstat', 'access', 'mkdir', 'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'open', 'readlink', 'realpath', 'mkdtemp'] as const;
const DNS_CALLS = ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'] as const;

type PromiseFunction = (...args: unknown[]) => Promise<unknown>;

/** The promise APIs of fs and dns become ops: one wrapper call and two events each, cheap next to the I/O. */
export function instrumentFsAndDns(tracker: Tracker): void {
	const wrap = (target: Record<string, unknown>, calls: readonly string[], kind: OpKind, describe: (arg: unknown) => string): void => {
		for (const name of calls) {
			const original = target[name] as PromiseFunction | undefined;
			if (typeof original !== 'function') continue;
			target[name] = {
				[name](this: unknown, ...args: unknown[]) {
					const id = tracker.startOp(kind, `${name} ${recordedText(describe(args[0]))}`);
					// The caller gets the derived promise, so an unhandled rejection stays unhandled.
					return original.apply(this, args).then(
						value => {
							tracker.emit({type: 'op.end', t: performance.now(), id, ok: true});
							return value;
						},
						(error: unknown) => {
							tracker.emit({type: 'op.end', t: performance.now(), id, ok: false, error: tracker.errorInfo(error)});
							throw error;
						},
					);
				},
			}[name];
		}
	};
	wrap(fs.promises as unknown as Record<string, unknown>, FS_CALLS, 'fs', arg => basename(String(arg)));
	wrap(dns.promises as unknown as Record<string, unknown>, DNS_CALLS, 'dns', arg => String(arg));
	syncBuiltinESMExports();
}
