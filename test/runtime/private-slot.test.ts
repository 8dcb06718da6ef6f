import {inspect} from 'node:util';
import {describe, expect, it} from 'vitest';
import {privateSlot} from '../../source/runtime/private-slot.js';

describe('privateSlot', () => {
	it('keeps a value on an object, per slot, and empties it', () => {
		const targets = privateSlot<{id: number}>();
		const others = privateSlot<string>();
		const promise = Promise.resolve(1);
		expect(targets.get(promise)).toBeUndefined();
		targets.set(promise, {id: 3});
		others.set(promise, 'other');
		expect(targets.get(promise)).toEqual({id: 3});
		expect(others.get(promise)).toBe('other');
		targets.set(promise, {id: 4});
		expect(targets.get(promise)).toEqual({id: 4});
		expect(targets.delete(promise)).toBe(true);
		expect(targets.get(promise)).toBeUndefined();
		expect(targets.delete(promise)).toBe(false);
		expect(others.get(promise)).toBe('other');
	});

	it('leaves no trace the script could see: no key, no symbol, nothing util.inspect or JSON shows', () => {
		const slot = privateSlot<{secret: string}>();
		const object = {a: 1};
		const promise = Promise.resolve(2);
		const shown = [inspect(object), inspect(promise), JSON.stringify(object)];
		slot.set(object, {secret: 'asyncmon'});
		slot.set(promise, {secret: 'asyncmon'});
		for (const value of [object, promise]) {
			expect(Reflect.ownKeys(value)).toEqual(value === object ? ['a'] : []);
			expect(Object.getOwnPropertySymbols(value)).toEqual([]);
		}
		expect([inspect(object), inspect(promise), JSON.stringify(object)]).toEqual(shown);
		expect(inspect(object, {showHidden: true})).not.toContain('asyncmon');
	});

	it('works on frozen and sealed objects, which stay as they are', () => {
		const slot = privateSlot<number>();
		const frozen = Object.freeze(Promise.resolve(1));
		const sealed = Object.seal({b: 2});
		slot.set(frozen, 1);
		slot.set(sealed, 2);
		expect([slot.get(frozen), slot.get(sealed)]).toEqual([1, 2]);
		expect(Object.isFrozen(frozen) && Object.isSealed(sealed)).toBe(true);
		expect(slot.delete(frozen)).toBe(true);
		expect(slot.get(frozen)).toBeUndefined();
	});
});
