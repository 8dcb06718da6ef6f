import {afterAll, beforeAll} from 'vitest';
import {type DemoServer, startDemoServer} from '../../source/demo/server.js';

/**
 * The demo server for the tests around the call (a file, or a describe
 * block): started before them, closed after them. Read `url` in a test.
 */
export function useDemoServer(): {readonly url: string} {
	let server: DemoServer | undefined;
	beforeAll(async () => {
		server = await startDemoServer();
	});
	afterAll(async () => {
		await server?.close();
	});
	return {
		get url() {
			if (!server) throw new Error('the demo server starts before the tests: read its url inside one');
			return server.url;
		},
	};
}
