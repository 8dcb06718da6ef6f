// Top self-time functions, files and source modules of a .cpuprofile, as percentages of all samples.
//   node bench/lib/cpuprofile-top.mjs FILE.cpuprofile [N=25] [PER=count]
// dist/ is bundled into chunks: the source modules come from the chunks' source maps. With PER (a
// count of tasks, say), each module's self time is also given in µs per unit.
import {existsSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {originalPositionFor, TraceMap} from '@jridgewell/trace-mapping';

const [file, n = '25', per] = process.argv.slice(2);
const root = new URL('../..', import.meta.url).href;
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map(node => [node.id, node]));
const maps = new Map();

/** The source map of a bundled file of ours, or null. */
function mapOf(url) {
	if (!maps.has(url)) {
		const path = url.startsWith('file://') ? `${fileURLToPath(url)}.map` : null;
		maps.set(url, path && existsSync(path) ? new TraceMap(readFileSync(path, 'utf8')) : null);
	}
	return maps.get(url);
}

/** The module a frame's function comes from: source/… through the source map, else its file (or a V8 pseudo-frame's name). */
function moduleOf({url, lineNumber, columnNumber, functionName}) {
	if (!url) return functionName;
	const map = mapOf(url);
	const source = map && lineNumber >= 0 ? originalPositionFor(map, {line: lineNumber + 1, column: Math.max(0, columnNumber)}).source : null;
	const place = source ? new URL(source, url).href : url;
	return place.replace(root, '').replace(/^.*node_modules\//, 'node_modules/');
}

const self = new Map();
const byFile = new Map();
const byModule = new Map();
const add = (map, key, dt) => map.set(key, (map.get(key) ?? 0) + dt);
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
	const node = byId.get(profile.samples[i]);
	const dt = profile.timeDeltas[i] ?? 0;
	total += dt;
	const {functionName, url, lineNumber} = node.callFrame;
	const short = url.replace(root, '');
	add(self, `${functionName || '(anonymous)'}  ${short}${url ? `:${lineNumber + 1}` : ''}`, dt);
	add(byFile, short || functionName, dt);
	add(byModule, moduleOf(node.callFrame), dt);
}
const show = (title, map, perUnit) => {
	console.log(`${title} (total ${(total / 1000).toFixed(0)} ms)`);
	for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
		const each = perUnit ? `  ${(us / perUnit).toFixed(2).padStart(6)} µs each` : '';
		console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms${each}  ${key}`);
	}
};
show('self time by function', self);
show('self time by file', byFile);
show(`self time by source module${per ? `, per one of ${per}` : ''}`, byModule, per ? Number(per) : 0);
