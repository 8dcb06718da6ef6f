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
