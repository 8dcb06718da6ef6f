import {expect, it} from 'vitest';
import {underNodeAndAsyncmon} from '../helpers/node-parity.js';
import {dirWithScript} from '../helpers/temp.js';

// A tester's store: `async [METHOD]()` and `async [kSecret]()` both read `Store.<computed>`, and an object's
// `async ['quad' + 'ruple']()` read `<anonymous>`, where node's own stacks say `Store.fetchAll`.
it('names a method under a computed key by the key, as V8 does, and leaves the class as written', async () => {
	const directory = dirWithScript('store.js', [
		"const METHOD = 'fetchAll'",
		"const kSecret = Symbol('secret')",
		"const helpers = { async ['quad' + 'ruple'] (x) { await null; return x * 4 } }",
		'class Store {',
		'  async [METHOD] (opts) { await new Promise(r => setTimeout(r, 5)); return [1, 2] }',
		'  async [kSecret] () { await null; return 42 }',
		'}',
		'async function main () {',
		'  const store = new Store()',
		'  console.log(await store.fetchAll({ a: 1 }), await store[kSecret](), await helpers.quadruple(2))',
		'  // One method of one place, under two keys: no one name is right.',
		"  const made = ['a', 'b'].map(name => class { async [name] () { await null; return name } })",
		'  console.log(await new made[0]().a(), await new made[1]().b())',
		'  console.log(String(Store).split("\\n")[1])',
		'}',
		'main()',
	]);
	const {node, asyncmon, report} = await underNodeAndAsyncmon('store.js', [], directory);
	expect(node.stdout).toBe(["[ 1, 2 ] 42 8", 'a b', '  async [METHOD] (opts) { await new Promise(r => setTimeout(r, 5)); return [1, 2] }', ''].join('\n'));
	expect(asyncmon).toEqual(node);
	const names = report.tasks.map(task => task.name);
	expect(names).toEqual(expect.arrayContaining(['Store.fetchAll({…})', 'Store.[secret]()', 'quadruple(2)']));
	expect(names.filter(name => name === '<class>.<computed>()')).toHaveLength(2);
	expect(names.some(name => name.startsWith('Store.<computed>'))).toBe(false);
});
