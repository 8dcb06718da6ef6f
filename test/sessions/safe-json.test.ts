import {describe, expect, it} from 'vitest';
import {safeJson} from '../../source/sessions/safe-json.js';

describe('JSON for a terminal', () => {
	it('writes DEL and the C1 controls as escapes, which JSON.stringify leaves raw, and reads back the same', () => {
		const value = {name: 'a\x7fb\x9b31mc\x9dd', nested: ['\x1b[2J']};
		const text = safeJson(value, 2);
		expect(text).toContain('a\\u007fb\\u009b31mc\\u009dd');
		expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
		expect(JSON.parse(text)).toEqual(value);
		expect(safeJson({a: 1}, 2)).toBe(JSON.stringify({a: 1}, null, 2));
	});
});
