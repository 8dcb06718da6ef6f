import type {Location, Ms} from '../../protocol/events.js';

/** `300 ms` under a second, `1.4 s` from there on. */
export function formatDuration(ms: Ms): string {
	return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function percent(part: number, whole: number): string {
	return `${Math.round((part / whole) * 100)}%`;
}

/** `src/cpu.ts:12:5` as `src/cpu.ts:12`: the column adds noise to a sentence. */
export function lineLocation(location: Location): string {
	return location.replace(/(:\d+):\d+$/, '$1');
}
