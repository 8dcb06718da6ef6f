import {closeSync, fchmodSync, openSync, writeSync} from 'node:fs';

export const RECORD_FLUSH_MS = 100;

/**
 * Writes a session log: private to its owner (0600), flushed at least every
 * 100 ms in whole lines, so that it stays readable whatever kills the script.
 */
export class Recorder {
	private readonly fd: number;
	private pending = '';
	private readonly timer: NodeJS.Timeout;

	constructor(path: string) {
		this.fd = openSync(path, 'w', 0o600);
		// `mode` only applies to a new file; an existing one is made private too.
		fchmodSync(this.fd, 0o600);
		this.timer = setInterval(() => this.flush(), RECORD_FLUSH_MS);
		this.timer.unref();
	}

	/** One serialized protocol line, newline included. */
	write(raw: string): void {
		this.pending += raw;
	}

	flush(): void {
		if (!this.pending) return;
		const text = this.pending;
		this.pending = '';
		writeSync(this.fd, text);
	}

	close(): void {
		clearInterval(this.timer);
		this.flush();
		closeSync(this.fd);
	}
}
