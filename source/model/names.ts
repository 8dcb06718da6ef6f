/** `simulateRequest("request-A", 1000)` and `simulateRequest("request-B", 3000)` are one function: `simulateRequest`. */
export function functionName(taskName: string): string {
	return taskName.replace(/\(.*$/s, '') || taskName;
}
