import {describe, expect, it} from 'vitest';
import {NODE_STATES} from '../../source/model/state.js';
import {glyphs, STATE_STYLES, stateIcon} from '../../source/present/states.js';

const isAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

describe('states and glyphs', () => {
	it('gives every state an icon, a label and a colour, in Unicode and in ASCII', () => {
		for (const state of NODE_STATES) {
			expect(STATE_STYLES[state].label).not.toBe('');
			expect(isAscii(stateIcon(state, true))).toBe(true);
			expect(stateIcon(state, false)).not.toBe(stateIcon(state, true));
		}
		expect(stateIcon('failed', false)).toBe('✖');
	});

	it('draws with ASCII alone when asked', () => {
		const ascii = Object.values(glyphs(true)).flat();
		expect(ascii.every(isAscii)).toBe(true);
		expect(Object.values(glyphs(false)).flat().some(glyph => !isAscii(glyph))).toBe(true);
	});
});
