import {sep} from 'node:path';
import {pathToFileURL} from 'node:url';

/**
 * Whether a stack frame's file, a path or an ES module's `file://` URL, is asyncmon's own bundle's, under
 * `ownDirectory` (its `dist/`): compared as text, no URL parsed per frame.
 */
export function ownFiles(ownDirectory: string): (file: string) => boolean {
	const path = ownDirectory + sep;
	const url = `${pathToFileURL(ownDirectory).href}/`;
	return file => file.startsWith(path) || file.startsWith(url);
}
