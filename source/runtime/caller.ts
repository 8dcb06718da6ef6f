type CallSites = NodeJS.CallSite[];

/**
 * Whether the code that called `fn` is the user's own (not node_modules, not
 * Node's internals). Structured call sites skip stack formatting, which is
 * most of a stack trace's cost; used where a call is rare next to its work.
 */
export function calledFromUserCode(fn: Function): boolean {
	const previous = Error.prepareStackTrace;
	const previousLimit = Error.stackTraceLimit;
	Error.prepareStackTrace = (_error, sites) => sites;
	Error.stackTraceLimit = 1;
	const holder: {stack?: CallSites} = {};
	let sites: CallSites | undefined;
	try {
		Error.captureStackTrace(holder, fn);
		// The stack is formatted when first read: read it while the structured formatter is in place.
		sites = holder.stack;
	} finally {
		Error.prepareStackTrace = previous;
		Error.stackTraceLimit = previousLimit;
	}
	const file = sites?.[0]?.getFileName() ?? '';
	return file !== '' && !file.startsWith('node:') && !file.includes('/node_modules/');
}
