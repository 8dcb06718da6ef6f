// Loaded into the asyncmon monitor process only (`node --import rss-probe.mjs dist/cli.js ...`;
// the script's child process is spawned without it): at exit it writes the
// monitor's peak resident set size, in bytes, to the file named by BENCH_RSS_OUT.
import {writeFileSync} from 'node:fs';

const out = process.env.BENCH_RSS_OUT;
if (out) {
	process.on('exit', () => {
		try {
			writeFileSync(out, `${process.resourceUsage().maxRSS * 1024}\n`);
		} catch {
			// The harness reports a missing figure.
		}
	});
}
