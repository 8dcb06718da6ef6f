/** How the monitor tells the child's preload what to do: one JSON environment variable. */
export const CHILD_CONFIG_ENV = 'ASYNCMON_CHILD_CONFIG';

export interface ChildConfig {
	/** Absolute path of the script. */
	script: string;
	/** The script as the user named it, for display. */
	scriptName: string;
	eventsFd: number;
	watchdogFd: number;
	blockThresholdMs: number;
	redact: boolean;
	/** The monitor's pid: a child whose parent is no longer this process lost its monitor and ends itself. */
	monitorPid: number;
	/** The session's W3C trace id (see trace-context.ts). */
	traceId: string;
	/** `--otlp-propagate`: outgoing HTTP requests carry a `traceparent` naming the span asyncmon exports for them. */
	propagateTrace: boolean;
	/** Quick tasks beyond a site's rate fold in the child (runtime/span-folder.ts); off under `--retain all`, which keeps every task. */
	foldQuickTasks: boolean;
}
