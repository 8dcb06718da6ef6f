import {closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, writeSync} from 'node:fs';

/** A recording or report that cannot be written where the user asked: one line, the user's to fix. */
export class OutputFileError extends Error {
	override readonly name = 'OutputFileError';
}

/** What a path turned out to be, in the user's words, by the error opening it gave. */
const REASONS: Readonly<Record<string, string>> = {
	ENOENT: 'its directory does not exist',
	ENOTDIR: 'a part of its path is not a directory',
	EISDIR: 'it is a directory',
	EACCES: 'permission denied',
	EPERM: 'permission denied',
	EROFS: 'the file system is read-only',
	ELOOP: 'it is a symbolic link, which asyncmon does not write through',
	ENXIO: 'it is not a regular file',
};

/**
 * Opens `path` for writing a recording or report: created 0600, or emptied and made 0600 if it is already a
 * file of one's own. Never through a symbolic link (O_NOFOLLOW), and never anything but a regular file with
 * one name: a link planted in a shared directory must not get another file truncated. The checks come before
 * the truncation, so a refused path is left as it was.
 */
export function openPrivateFile(path: string, what: string): number {
	let fd: number;
	try {
		fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? '';
		throw new OutputFileError(`cannot write the ${what} '${path}': ${REASONS[code] ?? (error as Error).message}`);
	}
	const stats = fstatSync(fd);
	const owner = process.getuid?.();
	const problem = !stats.isFile() ? 'it is not a regular file' : stats.nlink > 1 ? 'it has other hard links' : owner !== undefined && stats.uid !== owner ? 'it belongs to another user' : null;
	if (problem) {
		closeSync(fd);
		throw new OutputFileError(`cannot write the ${what} '${path}': ${problem}`);
	}
	ftruncateSync(fd, 0);
	// `mode` only applies to a new file; an existing one is made private too.
	fchmodSync(fd, 0o600);
	return fd;
}

/** A whole report, into a file opened as openPrivateFile does. */
export function writePrivateFile(path: string, text: string, what: string): void {
	const fd = openPrivateFile(path, what);
	try {
		writeSync(fd, text);
	} finally {
		closeSync(fd);
	}
}
