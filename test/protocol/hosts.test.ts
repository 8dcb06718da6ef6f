import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {hostOf} from '../../source/protocol/hosts.js';

describe('hostOf', () => {
	it('is the host the URL parser reads, for any web URL', () => {
		fc.assert(
			fc.property(fc.webUrl({withQueryParameters: true, withFragments: true, authoritySettings: {withUserInfo: true, withPort: true, withIPv6: true, withIPv4: true}}), url => {
				expect(hostOf(url)).toBe(new URL(url).host);
			}),
			{numRuns: 500},
		);
	});

	it('reads the host where the path, query or fragment starts right after it, or a backslash does', () => {
		expect(hostOf('http://user:secret@Example.COM:80?q=1')).toBe('example.com');
		expect(hostOf('https://[::1]:8443#top')).toBe('[::1]:8443');
		expect(hostOf('http://127.0.0.1:4000\\items\\1')).toBe('127.0.0.1:4000');
		expect(hostOf('http://api.test')).toBe('api.test');
	});

	it('is the URL itself where there is no host to read', () => {
		expect(hostOf('not a url')).toBe('not a url');
		expect(hostOf('/relative/path')).toBe('/relative/path');
	});
});
