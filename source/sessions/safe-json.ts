/** DEL and the C1 controls: JSON.stringify leaves them raw, and some terminals obey U+009B as an escape. */
const RAW_CONTROLS = /[\u007f-\u009f]/g;

/**
 * JSON.stringify, with the controls it leaves raw written as `\u` escapes: the same value to any JSON
 * reader, and nothing a terminal obeys when a report is printed to one. They only occur inside strings.
 */
export function safeJson(value: unknown, indent?: number): string {
	return JSON.stringify(value, null, indent).replace(RAW_CONTROLS, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
