import {readFileSync, writeFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {useDemoServer} from '../helpers/demo-server.js';
import {CLI} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';
import {useTerminal} from '../helpers/terminal.js';
import {millionEventRecording} from '../helpers/million.js';
import {readRecording} from '../helpers/recorded.js';
import {header} from '../helpers/events.js';
import {serializeLine} from '../../source/protocol/encode.js';
import type {AsyncmonEvent} from '../../source/protocol/events.js';

const terminal = useTerminal();
const server = useDemoServer();

/** CI=true as on CI runners: the dashboard must draw wherever stdout is a terminal. */
const asyncmon = (args: string): string => `CI=true ASYNCMON_DEMO_URL=${server.url} ${process.execPath} ${CLI} ${args}`;

describe('the dashboard in a real terminal', () => {
	it('shows tasks and a live BLOCKED banner, filters, opens details, quits with q and restores the terminal', async () => {
		terminal.open(asyncmon('--block-threshold 100 fanout-block.ts'));

		const live = await terminal.until('the task table', text => text.includes('fetchItem(1)') && text.includes('fetchItem(4)'));
		expect(live).toContain('fanout-block.ts');
		expect(terminal.paneFlag('alternate_on')).toBe('1');

		const blocked = await terminal.until('the BLOCKED banner', text => /BLOCKED \d+(\.\d+)?m?s by crunch/.test(text));
		expect(blocked).toMatch(/BLOCKED \d+(\.\d+)?m?s by crunch(Numbers)?\(/);
		// While the script's loop is blocked the dashboard still redraws: its clock moves on.
		const first = /BLOCKED (\S+)/.exec(blocked)![1];
		const later = await terminal.until('the banner to advance', text => /BLOCKED (\S+)/.exec(text)?.[1] !== first && /BLOCKED/.test(text));
		expect(later).toContain('BLOCKED');

		await terminal.until('the script to end', text => /exited with code 5/.test(text));
		terminal.keys('/');
		terminal.keys('-l', 'crunch');
		terminal.keys('Enter');
		const filtered = await terminal.until('the filtered table', text => text.includes('crunch()') && !text.includes('fetchItem(1)'));
		expect(filtered).not.toContain('heartbeat()');

		terminal.keys('Enter');
		const details = await terminal.until('the details view', text => /crunchNumbers|Block|block/.test(text) && text.includes('fanout-block.ts:'));
		expect(details).toContain('crunch()');
		terminal.keys('Escape');

		terminal.keys('q');
		const after = await terminal.until('the plain summary on the normal screen', text => text.includes('EXIT:5'));
		expect(after).toMatch(/Exited with code 5 after \d+\.\d\ds/);
		expect(terminal.paneFlag('alternate_on')).toBe('0');
		expect(terminal.paneFlag('cursor_flag')).toBe('1');
	});

	it('says in its header what killed the script when no row can: an exception thrown in a timer callback', async () => {
		terminal.open(asyncmon('throws-in-timer.cjs'), 160, 45);
		const ended = await terminal.until('the script to die of it', text => text.includes('exited with code 1') && text.includes('Uncaught'));
		expect(ended).toMatch(/✖ Uncaught exception: TypeError: Cannot set properties of null \(setting 'retries'\) at throws-in-timer\.cjs:5/);
		terminal.keys('q');
		await terminal.until('asyncmon to exit', text => text.includes('EXIT:1'));
	});

	it('says why a prompt got no answer: the dashboard keeps the keys, and --plain lets the user type', async () => {
		terminal.open(asyncmon('prompt.mjs'), 160, 45);
		const ended = await terminal.until('the prompt to end', text => text.includes('exited with code 0') && text.includes('reads its stdin'));
		expect(ended.replace(/\s+/g, ' ')).toContain('asyncmon: the script reads its stdin, which the dashboard keeps for its keys: it reads nothing there (run with --plain to type into it)');
		terminal.keys('q');
		await terminal.until('asyncmon to exit', text => text.includes('EXIT:0'));
	});

	it('a script that prints a lot while the dashboard loads is held back by it, not blocked: no block, the wait told as backpressure', async () => {
		const file = tempFile('prints.ndjson');
		// A block threshold past what a burst of its own may take on a loaded machine (CI runs other files beside it), not
		// past the waits for a dashboard that loads for hundreds of milliseconds.
		terminal.open(asyncmon(`--exit-on-end --block-threshold 150 --record ${file} prints-at-start.cjs`), 160, 45);
		await terminal.until('asyncmon to exit', text => text.includes('EXIT:0'));
		const lines = readFileSync(file, 'utf8').trim().split('\n');
		expect(lines.filter(line => line.includes('"block.start"') || line.includes('"block.end"'))).toEqual([]);
		const {state, report} = await readRecording(file);
		expect(report.summary.longestBlockMs).toBe(0);
		// The script waited for the dashboard to read its lines: asyncmon's doing, said as such.
		expect(report.summary.heldBackMs).toBeGreaterThan(0);
		expect(state.output.at(-1)?.text).toMatch(/^burst 39 line 999 /);
	});

	it("leaves the script's output on the normal screen after it closes, in the scrollback as under node: its last 1,000 lines, and where the rest is", async () => {
		terminal.open(asyncmon('many-lines.ts'), 100, 30);
		await terminal.until('the script to end', text => /exited with code 0/.test(text));
		terminal.keys('q');
		await terminal.until('asyncmon to exit', text => text.includes('EXIT:0'));
		expect(terminal.paneFlag('alternate_on')).toBe('0');
		const history = terminal.screen({history: true}).split('\n');
		const note = history.findIndex(line => line.startsWith("asyncmon: the script's output, less its first 101 lines (a recording, --record, keeps every line):"));
		expect(note).toBeGreaterThan(-1);
		expect(history[note + 1]).toBe('line 102 of the output');
		expect(history).toContain('line 1100 of the output');
		expect(history).not.toContain('line 101 of the output');
		const last = history.indexOf('the last line');
		expect(last).toBeGreaterThan(note);
		// Then asyncmon's summary, as always.
		expect(history.slice(last + 1).join('\n')).toMatch(/── asyncmon ──\nAll done in /);
	});

	it("quits with q twice while the script's loop is blocked: the script is stopped, the terminal restored", async () => {
		terminal.open(`BLOCK_MS=60000 ${asyncmon('fanout-block.ts')}`);
		await terminal.until('the BLOCKED banner', text => /BLOCKED .* by crunch/.test(text));
		terminal.keys('q');
		terminal.keys('q');
		const after = await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		expect(after).toMatch(/EXIT:(130|137|143)/);
		expect(after).toMatch(/Killed by SIG(INT|TERM|KILL) after/);
		expect(terminal.paneFlag('alternate_on')).toBe('0');
		expect(terminal.paneFlag('cursor_flag')).toBe('1');
	});

	it('SIGTERM to asyncmon closes the dashboard, restores the terminal and forwards the exit', async () => {
		const pidFile = tempFile('asyncmon.pid');
		terminal.open(`sh -c 'echo $$ > ${pidFile}; exec env ${asyncmon('long-running.ts')}'`);
		await terminal.until('the dashboard', text => text.includes('forever()'));
		process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
		const after = await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		expect(after).toContain('EXIT:143');
		expect(after).toContain('Killed by SIGTERM');
		expect(terminal.paneFlag('alternate_on')).toBe('0');
		expect(terminal.paneFlag('cursor_flag')).toBe('1');
	});

	// The dashboard took a SIGTERM for a quit as well: the script got a second one and was killed 2 s later, its drain
	// cut short (docker stop and Kubernetes send SIGTERM to asyncmon, then wait).
	it("SIGTERM to asyncmon with the dashboard open goes to the script once, and its graceful shutdown runs to its end", async () => {
		const pidFile = tempFile('asyncmon.pid');
		const script = tempFile('drain.js');
		writeFileSync(
			script,
			[
				"process.on('SIGTERM', () => {",
				"  console.log('draining')",
				"  setTimeout(() => { console.log('clean shutdown'); process.exit(0) }, 3000)",
				'})',
				'async function forever() { await new Promise(resolve => setInterval(resolve, 1000)) }',
				'forever()',
				'',
			].join('\n'),
		);
		terminal.open(`sh -c 'echo $$ > ${pidFile}; exec env ${asyncmon(script)}'`);
		await terminal.until('the dashboard', text => text.includes('forever()'));
		process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
		const after = await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text), 15_000);
		expect(after).toContain('EXIT:0');
		expect(after).toContain('clean shutdown');
		expect(after.match(/draining/g)).toHaveLength(1);
		expect(after).not.toContain('SIGKILL');
		expect(terminal.paneFlag('alternate_on')).toBe('0');
	});

	// It read 'Killed by SIGTERM' (exit 143), with no word that asyncmon sent it.
	it('quitting the dashboard of a script that takes Ctrl-C and goes on: the SIGTERM that ends it is said to be asyncmon\'s', async () => {
		const script = tempFile('keeps-going.js');
		writeFileSync(script, ["process.on('SIGINT', () => console.log('not yet'))", 'async function forever() { await new Promise(resolve => setInterval(resolve, 1000)) }', 'forever()', ''].join('\n'));
		terminal.open(asyncmon(script));
		await terminal.until('the dashboard', text => text.includes('forever()'));
		terminal.keys('q');
		await new Promise(resolve => setTimeout(resolve, 300));
		terminal.keys('q');
		const after = await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
		expect(after).toContain('EXIT:143');
		expect(after).toContain('the dashboard was quit: asyncmon sent it SIGTERM, which ended it');
	});

	it('replays a 1,000,000-event recording within a 200 MB heap, seeking to its end and back', async () => {
		const file = millionEventRecording();
		terminal.open(`NODE_OPTIONS=--max-old-space-size=200 ${asyncmon(`replay ${file}`)}`);
		await terminal.until('the replay', text => /^replay /m.test(text), 90_000);
		terminal.keys('End');
		// 500,000 tasks, one in 1,000 failed; most of them folded into one row.
		const end = await terminal.until('the end of the session', text => text.includes('499,500 done') && text.includes('500 failed'), 60_000);
		expect(end).toMatch(/×[\d,]+ tiny\(\)/);
		terminal.keys('Home');
		await terminal.until('the start of the session', text => text.includes('0 done') && !text.includes('499,500 done'), 60_000);
		terminal.keys('q');
		await terminal.until('the replay to end', text => text.includes('EXIT:0'));
	}, 240_000);

	it('opens a recording before it is read; stopped by a corrupt line, it plays what came before, says so, and fails once closed', async () => {
		const file = tempFile('cut-short.ndjson');
		const events: AsyncmonEvent[] = [{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'cut.ts', loc: null}];
		for (let id = 2; id < 20_000; id++) events.push({type: 'task.start', t: id, id, parent: 1, kind: 'task', name: `step(${id})`, loc: 'cut.ts:2:1'});
		// Past the first slice the dashboard opens with: found while the rest is read.
		writeFileSync(file, `${serializeLine(header())}${events.map(event => serializeLine(event)).join('')}{"type":"task.ready"}\n`);
		terminal.open(asyncmon(`replay ${file}`));
		const stopped = await terminal.until('the problem', text => text.includes('asyncmon: read only this far: '));
		expect(stopped).toMatch(/^replay .* \/ 20\.0s$/m);
		expect(stopped).toContain(`asyncmon: read only this far: ${file}:20001: corrupt line`);
		terminal.keys('End');
		// Each call started while the one before it had stopped running (one thread): the last runs, the others wait.
		await terminal.until('the end of what was read', text => /^replay .* 20\.0s \/ 20\.0s$/m.test(text) && text.includes('1 running') && text.includes('19,997 waiting'));
		terminal.keys('q');
		const after = await terminal.until('asyncmon to exit', text => text.includes('EXIT:'));
		expect(after).toContain(`asyncmon: ${file}:20001: corrupt line (`);
		expect(after).toContain('EXIT:1');
	});

	it('says the terminal is too small instead of drawing garbage', async () => {
		terminal.open(asyncmon('long-running.ts'), 36, 8);
		const small = await terminal.until('the too-small notice', text => /too small/i.test(text));
		expect(small.split('\n').filter(line => line.trim() !== '').length).toBeLessThanOrEqual(8);
		terminal.keys('q');
		terminal.keys('q');
		await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
	});

	it('honours NO_COLOR, and re-lays out at once when the terminal is resized', async () => {
		const colours = /\u001B\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;5;\d+)m/;
		const styled = (): string => terminal.screen({styled: true});
		terminal.open(asyncmon('long-running.ts'));
		await terminal.until('the dashboard', text => text.includes('forever()'));
		expect(styled()).toMatch(colours);
		terminal.open(`NO_COLOR=1 ${asyncmon('long-running.ts')}`);
		await terminal.until('the dashboard', text => text.includes('forever()'));
		expect(styled()).not.toMatch(colours);
		terminal.resize(70, 20);
		const narrow = await terminal.until('the narrower layout', text => text.split('\n').every(line => line.length <= 70) && text.includes('forever()'));
		expect(narrow.trimEnd().split('\n').length).toBeLessThanOrEqual(20);
		terminal.keys('q');
		terminal.keys('q');
		await terminal.until('asyncmon to exit', text => /EXIT:\d+/.test(text));
	});
});
