import {describe, expect, it} from 'vitest';
import {SiteTable} from '../../source/runtime/site-table.js';

describe('SiteTable.nameByKey, a method named by its computed key as it is evaluated', () => {
	const table = (): {sites: SiteTable; id: number} => {
		const sites = new SiteTable('app.js', '/app');
		return {sites, id: sites.addFunction({name: 'Store.<computed>', loc: 'app.js:3:3', keyed: true})};
	};

	it('takes a string, a number or a symbol as V8 names the function', () => {
		for (const [key, name] of [['fetchAll', 'Store.fetchAll'], [404, 'Store.404'], [Symbol('secret'), 'Store.[secret]'], [Symbol(), 'Store.[]']] as const) {
			const {sites, id} = table();
			sites.nameByKey(id, key);
			expect(sites.functionAt(id).name).toBe(name);
		}
	});

	it('leaves a key of another type alone, its toString() uncalled, and a site not keyed as it is', () => {
		const {sites, id} = table();
		let converted = 0;
		sites.nameByKey(id, {toString: () => (converted++, 'x')});
		expect([sites.functionAt(id).name, converted]).toEqual(['Store.<computed>', 0]);
		const plain = sites.addFunction({name: 'load', loc: 'app.js:9:1'});
		sites.nameByKey(plain, 'other');
		expect(sites.functionAt(plain).name).toBe('load');
	});

	it('goes back to <computed> for good once the same code is evaluated with another key', () => {
		const {sites, id} = table();
		sites.nameByKey(id, 'a');
		sites.nameByKey(id, 'a');
		expect(sites.functionAt(id).name).toBe('Store.a');
		sites.nameByKey(id, 'b');
		expect(sites.functionAt(id).name).toBe('Store.<computed>');
		sites.nameByKey(id, 'a');
		expect(sites.functionAt(id).name).toBe('Store.<computed>');
	});
});
