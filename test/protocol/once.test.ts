import {expect, it} from 'vitest';
import {once} from '../../source/protocol/once.js';

it('makes its value the first time it is wanted, and never again', () => {
	let made = 0;
	const value = once(() => ({made: ++made}));
	expect(made).toBe(0);
	expect(value()).toBe(value());
	expect(made).toBe(1);
});
