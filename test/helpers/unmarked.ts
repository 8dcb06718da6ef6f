/**
 * Instrumented code as it runs, without the comments that mark each piece asyncmon inserted (see the runtime's
 * withoutInstrumentation): what expectations of the instrumentation read.
 */
export const unmarked = (code: string): string => code.replace(/ \/\*asyncmon~\d+\*\/|\/\*asyncmon:\d+\*\//g, '');
