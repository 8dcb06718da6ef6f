/**
 * What `--require` loads first in the script's process, in its worker threads and in the Node processes it starts,
 * followed: the preload (preload.ts), unless this is a thread of Node's own. Node runs a process's preloads in the
 * thread of module.register()'s hooks too (tsx, OpenTelemetry's ESM loader): asyncmon has nothing to watch there,
 * and on Node 22 an ES module required in that thread, with those hooks registered, fails to load (`The
 * resolveSync() method is not implemented`): the script died before its first line. So this gate is CommonJS,
 * which that thread loads as it is, and it goes no further there.
 */
const {isInternalThread} = require('node:worker_threads') as typeof import('node:worker_threads');
if (!isInternalThread) require('./preload.js');
