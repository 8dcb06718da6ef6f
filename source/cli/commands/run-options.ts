import type {Retention} from '../../model/state.js';

/** The script to run and how to start it, besides the options of the command line. */
export interface ScriptLaunch {
	script: string;
	/** How to show the script, when not as `script` (a bundled demo's long path). */
	scriptName?: string;
	args: string[];
	/** Extra environment for the script (the demo server's URL, say). */
	env?: Record<string, string>;
	/** Where the script runs, when not asyncmon's own working directory (a bundled demo's package, where its paths are told from). */
	cwd?: string;
	/** The child's preload behind its gate, dist/preload-gate.cjs. */
	preload: URL;
	/** Node's own options for the script's process: `asyncmon node --env-file=.env app.js` (see node-command.ts). */
	nodeOptions?: string[];
}

export interface RunOptions extends ScriptLaunch {
	retention: Retention | null;
	plain: boolean;
	record?: string;
	redact: boolean;
	follow: boolean;
	blockThresholdMs: number;
	failOnBlockMs?: number;
	exitOnEnd: boolean;
	ascii: boolean;
	/** `--otlp`: the collector's traces URL. */
	otlpEndpoint?: string;
	otlpPropagate: boolean;
	color: boolean;
	/** Where plain mode's own lines go (see ownLinesStream). */
	ownLines: 'stdout' | 'stderr';
	stdout: NodeJS.WriteStream;
	stderr: NodeJS.WriteStream;
}
