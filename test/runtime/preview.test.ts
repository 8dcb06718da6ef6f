import {describe, expect, it} from 'vitest';
import {formatCall, formatValue} from '../../source/runtime/preview.js';
import {setRedaction} from '../../source/runtime/redact.js';
import {REDACTED} from '../../source/protocol/redaction.js';

describe('formatCall', () => {
	it('renders a call like asyncio repr', () => {
		expect(formatCall('simulateRequest', ['request-A', 1000])).toBe('simulateRequest("request-A", 1000)');
		expect(formatCall('main', [])).toBe('main()');
	});

	it('accepts an arguments object', () => {
		function capture(..._args: unknown[]) {
			// eslint-disable-next-line prefer-rest-params
			return arguments;
		}
		expect(formatCall('f', capture(1, 'two', true))).toBe('f(1, "two", true)');
	});

	it('shows at most 4 arguments, then an ellipsis', () => {
		expect(formatCall('f', [1, 2, 3, 4])).toBe('f(1, 2, 3, 4)');
		expect(formatCall('f', [1, 2, 3, 4, 5, 6])).toBe('f(1, 2, 3, 4, …)');
	});

	it('truncates long strings to 24 characters', () => {
		expect(formatCall('f', ['a'.repeat(24)])).toBe(`f("${'a'.repeat(24)}")`);
		expect(formatCall('f', ['a'.repeat(30)])).toBe(`f("${'a'.repeat(23)}…")`);
	});

	it('truncates the whole argument list to 60 characters', () => {
		const name = formatCall('f', ['x'.repeat(24), 'y'.repeat(24), 'z'.repeat(24)]);
		const inner = name.slice(2, -1);
		expect(inner.length).toBe(60);
		expect(inner.endsWith('…')).toBe(true);
		expect(name.startsWith('f("xxx')).toBe(true);
	});

	it('redacts URL credentials and secret query values before cutting an argument short', () => {
		expect(formatCall('call', ['http://user:pass@127.0.0.1:8080/'])).toBe('call("…127.0.0.1:8080/")');
		expect(formatCall('get', ['/items?jwt=abc', new URL('https://bob:pw@x.test/')])).toBe(`get("/items?jwt=${REDACTED}", "…x.test/")`);
		expect(formatCall('get', ['https://api.test/v1/items?token=abc123&page=2'])).toBe(`get("…s?token=${REDACTED}&page=2")`);
		// Kept where the user turned redaction off, as the rest of the URL is.
		setRedaction(false);
		try {
			expect(formatCall('call', ['http://user:pass@127.0.0.1:8080/'])).toBe('call("…er:pass@127.0.0.1:8080/")');
		} finally {
			setRedaction(true);
		}
	});

	// `await getJson(url)` one endpoint after another read as one call repeated: `getJson("http://127.0.0.1:47811/…")`.
	it('keeps the end of a URL cut short, where its path is: calls on URLs of one host read apart', () => {
		expect(formatCall('getJson', ['http://127.0.0.1:47811/users/1'])).toBe('getJson("…127.0.0.1:47811/users/1")');
		expect(formatCall('getJson', ['http://127.0.0.1:47811/orders'])).toBe('getJson("…127.0.0.1:47811/orders")');
		expect(formatCall('get', ['https://registry.npmjs.org/undici'])).toBe('get("…gistry.npmjs.org/undici")');
		// Short enough: whole.
		expect(formatCall('get', ['http://x.test/a'])).toBe('get("http://x.test/a")');
	});
});

describe('formatValue', () => {
	it('renders each kind of value', () => {
		expect(formatValue('s')).toBe('"s"');
		expect(formatValue('quote"d')).toBe('"quote\\"d"');
		expect(formatValue(1.5)).toBe('1.5');
		expect(formatValue(Number.NaN)).toBe('NaN');
		expect(formatValue(false)).toBe('false');
		expect(formatValue(undefined)).toBe('undefined');
		expect(formatValue(null)).toBe('null');
		expect(formatValue(10n)).toBe('10n');
		expect(formatValue(Symbol('tag'))).toBe('Symbol(tag)');
		expect(formatValue(function named() {})).toBe('ƒ named');
		expect(formatValue(() => {})).toBe('ƒ');
		expect(formatValue([1, 2, 3])).toBe('[…3]');
		expect(formatValue({a: 1})).toBe('{…}');
		expect(formatValue(new Map())).toBe('{Map…}');
		expect(formatValue(Object.create(null))).toBe('{…}');
		expect(formatValue(new URL('https://example.com/a'))).toBe('"https://example.com/a"');
		expect(formatValue(new URL('https://example.com/a/very/long/path'))).toBe('"…le.com/a/very/long/path"');
	});
});

describe("a preview runs none of the script's code", () => {
	it('touches no Proxy, revoked or trapped, and reads no getter', () => {
		const seen: string[] = [];
		const watched = new Proxy({a: 1}, {getPrototypeOf: target => (seen.push('getPrototypeOf'), Reflect.getPrototypeOf(target)), get: (target, key) => (seen.push('get'), Reflect.get(target, key))});
		const {proxy: revoked, revoke} = Proxy.revocable({}, {});
		revoke();
		class Nameless {
			static get name(): string {
				throw new Error('name getter');
			}
		}
		const throwingConstructor = Object.create(null, {constructor: {get: () => { throw new Error('constructor getter'); }}}) as object;
		class Named {}
		expect(formatCall('f', [watched, revoked, new Nameless(), Nameless])).toBe('f({Proxy…}, {Proxy…}, {…}, ƒ)');
		expect(formatCall('f', [throwingConstructor, new Named(), Named, new URL('http://h/x')])).toBe('f({…}, {Named…}, ƒ Named, "http://h/x")');
		expect(seen).toEqual([]);
	});

	it('survives a Proxy up an object\'s prototype chain that throws', () => {
		const {proxy: revoked, revoke} = Proxy.revocable({}, {});
		revoke();
		expect(formatCall('f', [Object.create(revoked) as object])).toBe('f({…})');
	});
});

