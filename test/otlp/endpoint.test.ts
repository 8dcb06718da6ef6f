import {describe, expect, it} from 'vitest';
import {shownEndpoint, tracesEndpoint} from '../../source/otlp/endpoint.js';

describe('the collector endpoint', () => {
	it("sends spans to the base URL's /v1/traces", () => {
		expect(tracesEndpoint('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces');
		expect(tracesEndpoint('http://127.0.0.1:4318/')).toBe('http://127.0.0.1:4318/v1/traces');
		expect(tracesEndpoint('https://otel.example.com/otlp/')).toBe('https://otel.example.com/otlp/v1/traces');
		expect(tracesEndpoint('http://127.0.0.1:4318/v1/traces')).toBe('http://127.0.0.1:4318/v1/traces');
	});

	it('refuses what is not an http(s) URL', () => {
		for (const bad of ['localhost:4318', '127.0.0.1', 'grpc://127.0.0.1:4317', 'file:///tmp/x', '']) expect(tracesEndpoint(bad), bad).toBeNull();
	});

	it("does not show a collector's credentials", () => {
		expect(shownEndpoint('https://user:secret@otel.example.com/v1/traces?api_key=k1')).toBe('https://REDACTED:REDACTED@otel.example.com/v1/traces?api_key=REDACTED');
	});
});
