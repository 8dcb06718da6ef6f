import type {Location} from './events.js';

/** `node_modules/sdk/index.js:4:7` as `node_modules/sdk/index.js`. */
export function fileOf(location: Location): string {
	return location.replace(/(:\d+){1,2}$/, '');
}
