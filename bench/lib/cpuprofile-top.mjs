// Top self-time functions (and files) of a .cpuprofile, as percentages of all samples.
//   node bench/lib/cpuprofile-top.mjs FILE.cpuprofile [N=25]
import {readFileSync} from 'node:fs';

const [file, n = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map(node => [node.id, node]));
const self = new Map();
const byFile = new Map();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
	const node = byId.get(profile.samples[i]);
	const dt = profile.timeDeltas[i] ?? 0;
	total += dt;
	const {functionName, url, lineNumber} = node.callFrame;
	const short = url.replace(/^file:\/\/\/work\/main\//, '').replace(/^node:/, 'node:');
	const key = `${functionName || '(anonymous)'}  ${short}${url ? `:${lineNumber + 1}` : ''}`;
	self.set(key, (self.get(key) ?? 0) + dt);
	const group = short || functionName;
	byFile.set(group, (byFile.get(group) ?? 0) + dt);
}
const show = (title, map) => {
	console.log(`${title} (total ${(total / 1000).toFixed(0)} ms)`);
	for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
};
show('self time by function', self);
show('self time by file', byFile);
