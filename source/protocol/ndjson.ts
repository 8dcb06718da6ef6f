import type {ProtocolLine} from './events.js';

/** Times carry microsecond precision, no more: shorter lines, same meaning. */
function roundTimes(_key: string, value: unknown): unknown {
	return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
}

export function serializeLine(line: ProtocolLine): string {
	return `${JSON.stringify(line, roundTimes)}\n`;
}

/**
 * Splits a byte stream into lines. Partial lines wait for the next chunk;
 * `rest()` hands back a final line with no newline.
 */
export class LineSplitter {
	private pending = '';

	push(chunk: string, onLine: (line: string) => void): void {
		let start = 0;
		let newline = chunk.indexOf('\n');
		if (newline === -1) {
			this.pending += chunk;
			return;
		}
		onLine(this.pending + chunk.slice(0, newline));
		this.pending = '';
		start = newline + 1;
		while ((newline = chunk.indexOf('\n', start)) !== -1) {
			onLine(chunk.slice(start, newline));
			start = newline + 1;
		}
		this.pending = chunk.slice(start);
	}

	rest(): string {
		const rest = this.pending;
		this.pending = '';
		return rest;
	}
}
