import {startDemoServer} from '../../source/demo/server.js';
import {useStarted} from './use-started.js';

/**
 * The demo server for the tests around the call (a file, or a describe
 * block): started before them, closed after them. Read `url` in a test.
 */
export function useDemoServer(): {readonly url: string} {
	const server = useStarted(startDemoServer);
	return {
		get url() {
			return server().url;
		},
	};
}
