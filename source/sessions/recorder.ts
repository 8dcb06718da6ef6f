import {closeSync, writeSync} from 'node:fs';
import {openPrivateFile} from './private-file.js';

export const RECORD_FLUSH_MS = 100;

/**
 * Writes a session log: private to its owner (0600), flushed at least every
 * 100 ms in whole lines, so that it stays readable whatever kills the script.
 * A write that fails (a full disk, an I/O error) ends the recording there,
 * readable up to its last whole line; monitoring goes on, and `failure` says why.
 */
export class Recorder {
	private fd: number | null;
	private pending = '';
	private readonly timer: NodeJS.Timeout;
	failure: string | null = null;

	constructor(
		private readonly path: string,
		/** Called once, when a write fails. */
		private readonly onFailure: (message: string) => void = () => {},
	) {
		this.fd = openPrivateFile(path, 'recording');
		this.timer = setInterval(() => this.flush(), RECORD_FLUSH_MS);
		this.timer.unref();
	}

	/** One serialized protocol line, newline included. */
	write(raw: string): void {
		if (this.fd !== null) this.pending += raw;
	}

	flush(): void {
		if (!this.pending || this.fd === null) return;
		const text = this.pending;
		this.pending = '';
		try {
			writeSync(this.fd, text);
		} catch (error) {
			this.fail(error as NodeJS.ErrnoException);
		}
	}

	close(): void {
		clearInterval(this.timer);
		this.flush();
		if (this.fd !== null) closeSync(this.fd);
		this.fd = null;
	}

	private fail(error: NodeJS.ErrnoException): void {
		closeSync(this.fd!);
		this.fd = null;
		this.failure = `the recording '${this.path}' stopped: ${error.code ?? error.message} while writing it; it is readable up to there (asyncmon report reads it, a cut-off last line left out)`;
		this.onFailure(this.failure);
	}
}
