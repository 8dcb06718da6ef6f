import {readFileSync} from 'node:fs';

/**
 * Whether a process of this pid runs. EPERM: it does, someone else's (a pid reused), and so nothing of it is ours to
 * remove. A zombie does not: it ended, and waits for a parent (init, once its own died) to reap it.
 */
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
	return !zombie(pid);
}

/** Linux's word for a process that ended and is not yet reaped: `Z` in /proc/PID/stat; elsewhere never known. */
function zombie(pid: number): boolean {
	try {
		return /^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}
