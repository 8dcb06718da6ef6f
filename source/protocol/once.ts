/** `make`, called the first time its value is wanted and never again. */
export function once<T>(make: () => T): () => T {
	let value: T | undefined;
	return () => (value ??= make());
}
