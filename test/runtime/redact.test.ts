import {describe, expect, it} from 'vitest';
import {REDACTED, redactUrl} from '../../source/runtime/redact.js';

describe('redactUrl', () => {
	it('replaces URL userinfo', () => {
		expect(redactUrl('https://alice:hunter2@api.example.com/items')).toBe(`https://${REDACTED}:${REDACTED}@api.example.com/items`);
		expect(redactUrl('https://token123@api.example.com/')).toBe(`https://${REDACTED}@api.example.com/`);
	});

	it('replaces token-like query values', () => {
		const redacted = new URL(redactUrl('https://api.example.com/x?access_token=abc&api_key=k&client_secret=s&password=p&sig=1&code=2&sessionId=3&Authorization=4'));
		for (const name of ['access_token', 'api_key', 'client_secret', 'password', 'sig', 'code', 'sessionId', 'Authorization']) {
			expect(redacted.searchParams.get(name), name).toBe(REDACTED);
		}
	});

	it('keeps non-secret parameters, their order, the path and the fragment', () => {
		expect(redactUrl('https://api.example.com/search?q=cats&page=2&token=t0k#top')).toBe(`https://api.example.com/search?q=cats&page=2&token=${REDACTED}#top`);
		expect(redactUrl('https://api.example.com/search?q=cats&limit=10')).toBe('https://api.example.com/search?q=cats&limit=10');
	});

	it('redacts every value of a repeated secret parameter', () => {
		const redacted = new URL(redactUrl('http://h/?key=a&key=b&x=1'));
		expect(redacted.searchParams.getAll('key')).toEqual([REDACTED]);
		expect(redacted.searchParams.get('x')).toBe('1');
	});

	it('leaves a URL without secrets as it is', () => {
		expect(redactUrl('http://localhost:8080/health')).toBe('http://localhost:8080/health');
	});

	it('returns a URL with neither userinfo nor a query as it was given', () => {
		for (const raw of ['http://127.0.0.1:8080/a%20b/./c', 'https://api.example.com/items#section']) expect(redactUrl(raw)).toBe(raw);
	});

	it('returns invalid URLs unchanged', () => {
		for (const raw of ['not a url', '/relative/path?token=x', '', 'http://[::1']) expect(redactUrl(raw)).toBe(raw);
	});
});
