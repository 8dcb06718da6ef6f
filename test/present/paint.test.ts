import {describe, expect, it} from 'vitest';
import {paint, type Segment} from '../../source/present/paint.js';

describe('the painter', () => {
	const line: Segment[] = [{text: 'a', color: 'red'}, {text: 'b', color: 'red'}, {text: 'c', bold: true}, {text: 'd'}];

	it('paints segments as ANSI, neighbours of one style under one escape', () => {
		expect(paint(line, 'color')).toBe('\x1b[31mab\x1b[0m\x1b[1mc\x1b[0md');
	});

	it('keeps bold, dim and inverse without colour', () => {
		expect(paint(line, 'attributes')).toBe('ab\x1b[1mc\x1b[0md');
		expect(paint([{text: 'x', dim: true, inverse: true, color: 'gray'}], 'attributes')).toBe('\x1b[2;7mx\x1b[0m');
	});

	it('writes no escape at all for a pipe or a file', () => {
		expect(paint(line, 'none')).toBe('abcd');
	});
});
