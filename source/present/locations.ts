import type {Location} from '../protocol/events.js';

/** `src/cpu.ts:12:5` as `src/cpu.ts:12`: the column adds noise to a sentence. */
export function lineLocation(location: Location): string {
	return location.replace(/(:\d+):\d+$/, '$1');
}

