import {describe, expect, it} from 'vitest';
import {parseProgram} from '../../source/runtime/transform.js';
import {chainsAPromise} from '../../source/runtime/promise-chains.js';

/** The call an expression statement makes. */
const call = (code: string) => parseProgram(code, 'module').body[0].expression;

describe('chainsAPromise: a then, catch or finally whose promise settles as the one it is called on does', () => {
	it("takes callbacks that call only their own parameter's body readers or globals that start nothing, and null or undefined", () => {
		for (const code of [
			'p.then(r => r.json())',
			'p.then(res => res.data.items)',
			'p.catch(() => null)',
			'p.catch(function (error) { console.error(error); return null })',
			'p.finally(() => clearTimeout(timer))',
			'p.then(text => JSON.parse(text), error => Math.max(1, 2))',
			'p.then(null, () => undefined)',
			'p.then(undefined, () => 0)',
			'p.then()',
			'fetch(url).then(r => r.json()).then(body => body.name)',
			'fetch(url).then(r => { if (!r.ok) throw new HttpError(`status ${r.status}`); return r.json() })',
			'fetch(url).then(r => (r.ok ? r.json() : Promise.reject(new Error(r.statusText))))',
			'p.then(res => res.data)',
			'p.then(rows => rows.length > 0 && rows)',
			'p.then(() => ({done: true}))',
			'p.then(body => { if (!body) return undefined; return body.items })',
		]) {
			expect(chainsAPromise(call(code)), code).toBe(true);
		}
	});

	it('leaves any other call: a callback that may start work, a function given by name, another method, super', () => {
		for (const code of [
			'p.then(r => fetch(r.next))',
			'p.then(load)',
			'p.then(data => data.items.map(load))',
			'p.then(data => data.get(key))',
			"p.then(client => client.query('SELECT 1'))",
			'p.catch(error => error.retry())',
			'p.then(rows => rows.at(0))',
			'p.then(r => r.json(reviver))',
			'p.then(r => new Response(r))',
			'p.then(r => new Errors(r))',
			'p.then(all => Promise.all(all))',
			'p.then(async r => r.json())',
			'p.then(r => r.then(x => x))',
			'p.then(function* () {})',
			'p.then(() => import("./lazy.js"))',
			'p.then(r => tag`x`)',
			'p["then"](r => r.json())',
			'p.map(r => r.json())',
			'p.then(r => other.json())',
			'p.then(() => pending)',
			'p.then(() => list[0])',
			'p.then(r => (r.ok ? r.json() : fallback))',
			'p.catch(() => { return retried })',
			'p.then(function () { return this.next })',
		]) {
			expect(chainsAPromise(call(code)), code).toBe(false);
		}
		const derived = parseProgram('class A extends B { m() { super.then(r => r.json()) } }', 'module').body[0].body.body[0].value.body.body[0].expression;
		expect(chainsAPromise(derived)).toBe(false);
	});
});
