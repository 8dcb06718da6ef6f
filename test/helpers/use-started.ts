import {afterAll, beforeAll} from 'vitest';

/**
 * Something the tests around the call (a file, or a describe block) need running: started before them, closed
 * after them. The function it returns gives it to a test; read it inside one.
 */
export function useStarted<T extends {close(): Promise<void>}>(start: () => Promise<T>): () => T {
	let started: T | undefined;
	beforeAll(async () => {
		started = await start();
	});
	afterAll(async () => {
		await started?.close();
	});
	return () => {
		if (!started) throw new Error('it starts before the tests: read it inside one');
		return started;
	};
}
