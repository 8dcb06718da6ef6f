/** Sets `key` in `map`, then drops its oldest entries past `max`: a Map keeps the order keys were first set in. */
export function keepLatest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
	map.set(key, value);
	while (map.size > max) map.delete(map.keys().next().value!);
}
