import {describe, expect, it} from 'vitest';
import {isSecretName, isSecretParameterName, REDACTED, redactArgv, redactRequestTarget, redactText, redactUrl} from '../../source/protocol/redaction.js';

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

	it('keeps a URL with no secret in it byte for byte, where the parser would normalise it', () => {
		for (const raw of ['HTTP://Example.COM/a?b=c%2f&d', 'http://h/?q=a+b&x=%7e']) expect(redactUrl(raw)).toBe(raw);
	});

	it('still drops the credentials of a URL the parser refuses', () => {
		expect(redactUrl('http://user:pw@[bad/x')).toBe(`http://${REDACTED}@[bad/x`);
	});

	it('returns invalid URLs unchanged', () => {
		for (const raw of ['not a url', '/relative/path?token=x', '', 'http://[::1']) expect(redactUrl(raw)).toBe(raw);
	});
});

describe('redactRequestTarget', () => {
	it('redacts the query of the path a server received, keeping it a path', () => {
		expect(redactRequestTarget('/users/7?token=abc&page=2')).toBe(`/users/7?token=${REDACTED}&page=2`);
		expect(redactRequestTarget('//evil.example/x?api_key=k')).toBe(`//evil.example/x?api_key=${REDACTED}`);
		for (const raw of ['/users/7?page=2', '/a%20b?q=x+y', '/plain', '*']) expect(redactRequestTarget(raw)).toBe(raw);
	});

	it('redacts an absolute target, a proxy\'s request, as a URL', () => {
		expect(redactRequestTarget('http://u:p@h/x?sig=1')).toBe(`http://${REDACTED}:${REDACTED}@h/x?sig=${REDACTED}`);
	});
});

describe('secret names', () => {
	it('covers the usual ones, as whole names and as words of a name', () => {
		for (const name of ['token', 'access_token', 'refresh_token', 'id_token', 'api_key', 'apikey', 'apiKey', 'key', 'secret', 'client_secret', 'password', 'passwd', 'pass', 'pwd', 'auth', 'jwt', 'bearer', 'session', 'sessionId', 'sid', 'sig', 'signature', 'X-Amz-Signature', 'code', 'private', 'private_key']) {
			expect(isSecretName(name), name).toBe(true);
		}
	});

	it('leaves names that only contain one inside a word', () => {
		for (const name of ['monkey', 'keyword', 'passage', 'q', 'page', 'limit']) expect(isSecretName(name), name).toBe(false);
	});
});

describe('redactText', () => {
	// A message that goes on after the URL: the colon or comma is the sentence's, and reads as written.
	it('keeps the colon or comma that follows a secret in a URL or a query, as the sentence had it', () => {
		expect(redactText('axios failed for http://127.0.0.1:4431/err?n=3&access_token=tok_999: Request failed with status code 500')).toBe(
			`axios failed for http://127.0.0.1:4431/err?n=3&access_token=${REDACTED}: Request failed with status code 500`,
		);
		expect(redactText('GET /items?token=abc123, retrying')).toBe(`GET /items?token=${REDACTED}, retrying`);
		expect(redactText('see https://api.test/x?sig=a:b:c&q=1')).toBe(`see https://api.test/x?sig=${REDACTED}&q=1`);
		expect(redactText('at http://api.test/x?token=a:b')).toBe(`at http://api.test/x?token=${REDACTED}`);
	});

	it('redacts a URL with credentials inside an error message, as fetch repeats it', () => {
		expect(redactText('Request cannot be constructed from a URL that includes credentials: http://bob:fetchpw77@127.0.0.1:9/x')).toBe(
			`Request cannot be constructed from a URL that includes credentials: http://${REDACTED}:${REDACTED}@127.0.0.1:9/x`,
		);
	});

	it('redacts secret query values with or without the URL around them, in stacks too', () => {
		const stack = 'Error: GET /items?token=abc123&page=2 failed\n    at load (file:///app/a.ts:3:9)';
		expect(redactText(stack)).toBe(`Error: GET /items?token=${REDACTED}&page=2 failed\n    at load (file:///app/a.ts:3:9)`);
		expect(redactText('call("https://api.test/x?jwt=e.y.j&q=1")')).toBe(`call("https://api.test/x?jwt=${REDACTED}&q=1")`);
	});

	it('redacts written-out bearer and basic credentials', () => {
		expect(redactText('sent Authorization: Bearer eyJhbGciOi.payload.sig')).toBe(`sent Authorization: Bearer ${REDACTED}`);
		// However short a bearer token is; a basic one of six characters or more, as `Basic usage` is English.
		expect(redactText('Authorization: Bearer xyz')).toBe(`Authorization: Bearer ${REDACTED}`);
		expect(redactText('f("Authorization: Bearer x…")')).toBe(`f("Authorization: Bearer ${REDACTED}…")`);
		expect(redactText('Authorization: Basic dXNlcjpwYXNz')).toBe(`Authorization: Basic ${REDACTED}`);
		expect(redactText('see Basic usage')).toBe('see Basic usage');
	});

	it('redacts a secret written as name=value in free text, as logs write it, but not a name that is also a plain word', () => {
		expect(redactText('retry with token=abc123')).toBe(`retry with token=${REDACTED}`);
		expect(redactText('login failed (password=hunter2, user=bob)')).toBe(`login failed (password=${REDACTED}, user=bob)`);
		expect(redactText('config api_key=AKIA1234 sessionId=s1')).toBe(`config api_key=${REDACTED} sessionId=${REDACTED}`);
		expect(redactText('process exited with code=1; key=3')).toBe('process exited with code=1; key=3');
		// Names made of such a word that name no secret: code that sets an exit code, a log of a status.
		expect(redactText("node -e '{process.exitCode=5}' statusCode=404 error_code=E1")).toBe("node -e '{process.exitCode=5}' statusCode=404 error_code=E1");
		expect(redactText('authCode=a1 session_key=s2')).toBe(`authCode=${REDACTED} session_key=${REDACTED}`);
		expect(redactText('GET /p?token=abc123')).toBe(`GET /p?token=${REDACTED}`);
	});

	it('redacts the value of a command-line flag that names a secret, with = or a space, in text and in an argument list', () => {
		expect(redactText('curl -u bob --password=Hunter2xyz https://x')).toBe(`curl -u bob --password=${REDACTED} https://x`);
		expect(redactText('deploy --token tok555 --region eu')).toBe(`deploy --token ${REDACTED} --region eu`);
		expect(redactText('run --api-key=k1 -p=pw --key server.pem')).toBe(`run --api-key=${REDACTED} -p=pw --key ${REDACTED}`);
		// A single dash and a space is a hyphen in prose; a flag with no value keeps the next flag.
		expect(redactText('a well-known -token value; --verbose --token --debug')).toBe('a well-known -token value; --verbose --token --debug');
		expect(redactArgv(['token=tok444', '--token=tok555', '--password', 'pw666', '--user', 'bob', 'password=pw777'])).toEqual([
			`token=${REDACTED}`,
			`--token=${REDACTED}`,
			'--password',
			REDACTED,
			'--user',
			'bob',
			`password=${REDACTED}`,
		]);
	});

	it('returns text with nothing secret in it as it was', () => {
		for (const text of ['load("a.json", 3)', 'x = 1 + 2', 'see https://example.com/docs#top']) expect(redactText(text)).toBe(text);
	});
});

describe('parameters named like a secret', () => {
	it('are the words that mean one, and whole names of two that do; not the words a query treats as secret that name other things as often', () => {
		for (const name of ['password', 'userPassword', 'new_password', 'secret', 'clientSecret', 'accessToken', 'token', 'apiKey', 'api_key', 'privateKey', 'jwt', 'credentials']) expect(isSecretParameterName(name), name).toBe(true);
		for (const name of ['key', 'cacheKey', 'code', 'statusCode', 'session', 'sessionId', 'auth', 'tokens', 'user', 'id']) expect(isSecretParameterName(name), name).toBe(false);
	});
});
