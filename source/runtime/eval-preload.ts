import {setUpThread} from './thread-setup.js';

/**
 * The preload of a worker made from a string: its stub loads this module with require() and calls
 * evalWorkerScript (see eval-worker.ts). The thread may be set up already, by the preload the worker inherited.
 */
export {evalWorkerScript} from './instrument.js';

setUpThread(import.meta.url, null);
