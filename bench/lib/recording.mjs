// What a recording holds, read as a stream: its lines, its events (a span line, code 100 or 101, is
// a start and an end: two events), and its `dropped` notices, which stay object lines in protocol 2.
import {createReadStream, statSync} from 'node:fs';

export async function scanRecording(file) {
	let lines = 0;
	let spans = 0;
	let dropped = 0;
	let carry = '';
	const count = (text, start) => {
		lines++;
		if (text.startsWith('[100,', start) || text.startsWith('[101,', start)) spans++;
		else if (text.startsWith('{"type":"dropped"', start)) dropped++;
	};
	for await (const chunk of createReadStream(file, {encoding: 'utf8', highWaterMark: 1 << 20})) {
		const text = carry + chunk;
		let start = 0;
		for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
			count(text, start);
			start = end + 1;
		}
		carry = text.slice(start);
	}
	if (carry) count(carry, 0);
	return {bytes: statSync(file).size, lines, events: lines + spans, dropped};
}
