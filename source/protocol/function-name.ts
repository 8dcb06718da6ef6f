/** `simulateRequest("request-A", 1000)` and `simulateRequest("request-B", 3000)` are one function: `simulateRequest`. */
export function functionName(taskName: string): string {
	return taskName.replace(/\(.*$/s, '') || taskName;
}

/**
 * The site a task's calls fold into, as the model and a service's agent both name it (their rows must meet):
 * `simulateRequest()`, and `<map callback>()` for a callback named by its call.
 */
export function taskSiteName(taskName: string): string {
	return `${functionName(taskName)}()`;
}
