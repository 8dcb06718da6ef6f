// Loaded first into the monitor (dist/cli.js) and into the script's process
// (`--import`, before the preload): Node caches the compiled code of the
// modules it loads afterwards (asyncmon's own and its dependencies), so each
// start after the first skips most of their compilation. In-process only:
// the script's own child processes inherit nothing. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
import module from 'node:module';

try {
	module.enableCompileCache?.();
} catch {
	// A cache directory that cannot be written: start as before.
}
