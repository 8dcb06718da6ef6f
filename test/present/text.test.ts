import {describe, expect, it} from 'vitest';
import {counted, fit, sanitize, textWidth, truncate, truncateStart, wrapText} from '../../source/present/text.js';

describe('terminal cells', () => {
	it('measures, cuts and pads by terminal cells', () => {
		expect(textWidth('⏫ 中')).toBe(5);
		expect(truncate('abcdefgh', 5)).toBe('abcd…');
		expect(fit('ab', 4, 'right')).toBe('  ab');
		expect(truncateStart('src/deep/path/file.ts:12', 10)).toBe('…ile.ts:12');
	});
});

describe('sanitizing text from the script', () => {
	it('drops colours and control characters, and widens tabs', () => {
		expect(sanitize('\x1b[31mred\x1b[0m\tx\r')).toBe('red  x');
	});

	it('puts a message of several lines on one, its words kept apart', () => {
		expect(sanitize('Expected values to be equal:\n\n  1 !== 2\n')).toBe('Expected values to be equal: 1 !== 2');
	});
});

describe('counting', () => {
	it('puts the noun in the plural when the count is not one', () => {
		expect([0, 1, 2].map(n => counted(n, 'task'))).toEqual(['0 tasks', '1 task', '2 tasks']);
		expect(counted(2, 'child', 'children')).toBe('2 children');
	});
});

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
