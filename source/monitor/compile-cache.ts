// Loaded first into the monitor (dist/cli.js): Node caches the compiled code of
// the modules it loads afterwards (asyncmon's own and its dependencies), so each
// start after the first skips most of their compilation. Never in the script's
// process: there it would cache the script's modules too, and loading them would
// take a fraction of node's time (require('typescript'): 70-185 ms against
// 245-300 ms), so their blocks would not be node's. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import module from 'node:module';

try {
	module.enableCompileCache?.();
} catch {
	// A cache directory that cannot be written: start as before.
}
