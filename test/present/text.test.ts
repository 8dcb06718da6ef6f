import {describe, expect, it} from 'vitest';
import {textWidth, wrapText} from '../../source/present/text.js';

describe('wrapping text', () => {
	it('lays words out in lines no wider than the width', () => {
		const lines = wrapText('crunch() at cpu.ts:12 blocked the event loop for 1.4 s; move CPU-bound work to a worker thread', 24);
		expect(lines.every(line => textWidth(line) <= 24)).toBe(true);
		expect(lines.join(' ')).toBe('crunch() at cpu.ts:12 blocked the event loop for 1.4 s; move CPU-bound work to a worker thread');
	});

	it('cuts a word longer than the width', () => {
		const [line] = wrapText('https://example.com/a/very/long/path', 10);
		expect(textWidth(line!)).toBeLessThanOrEqual(10);
	});
});
