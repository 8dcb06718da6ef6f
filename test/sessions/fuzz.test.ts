import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {Writable} from 'node:stream';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {SessionPipeline} from '../../source/cli/session-pipeline.js';
import {computeInsights} from '../../source/model/insights.js';
import {createState} from '../../source/model/state.js';
import {PlainPrinter} from '../../source/plain/printer.js';
import {decodeEvent, decodeHeader} from '../../source/protocol/decode.js';
import {EVENT_SHAPES} from '../../source/protocol/schema.js';
import {loadWarnings, readSession} from '../../source/sessions/reader.js';
import {runReport} from '../../source/sessions/report-command.js';
import {REPORT_FORMATS, type ReportFormat} from '../../source/sessions/report-formats.js';
import {controlCharacters, foreignMarkup, HOSTILE_STRINGS, hostileSession} from '../helpers/hostile.js';
import {runCli} from '../helpers/run-cli.js';
import {tempDir} from '../helpers/temp.js';

/**
 * Recordings anyone could hand over: real ones (test/fixtures/sessions), cut,
 * flipped, retyped, swollen and laced with escapes and markup. Whatever they
 * hold, the decoder and every reader end in exit 0 or 1, never 70, and
 * nothing from the data drives a terminal or a browser.
 */

const SEED = 13;
const RUNS = 300;

const FIXTURES = fileURLToPath(new URL('../fixtures/sessions/', import.meta.url));
const RECORDINGS = readdirSync(FIXTURES)
	.filter(name => name.endsWith('.ndjson'))
	.sort()
	.map(name => readFileSync(join(FIXTURES, name), 'utf8'));
const HEADER_LINE = RECORDINGS[0]!.slice(0, RECORDINGS[0]!.indexOf('\n'));

/**
 * A position in a list or a file, as a fraction of its length: it fits whatever the mutations before it did.
 * Uniform: fast-check's doubles crowd near 0, and its bias towards small values would do the same.
 */
const fraction = fc.noBias(fc.integer({min: 0, max: 2 ** 30 - 1})).map(n => n / 2 ** 30);

const hostileText = fc.oneof(
	fc.constantFrom(...HOSTILE_STRINGS),
	fc.string({unit: 'binary', maxLength: 40}),
	fc.array(fc.constantFrom(...HOSTILE_STRINGS, 'x', ' ', '\n', '\r', '\t', '<', '>', '"', "'", '&', '|', '\x1b', '\x9b', '\u202e', '中', '✔'), {maxLength: 12}).map(parts => parts.join('')),
);

/** Right or wrong for the field it lands in: the decoder must tell, and what passes must be read safely. */
const anyValue = fc.oneof(
	fc.jsonValue({maxDepth: 2}),
	fc.integer({min: -2, max: 40}),
	fc.constantFrom(0, -1, 0.5, 1e-300, 1e300, -1e300, 2 ** 53 - 1, 2 ** 31, null, true, false, [], {}),
	fc.array(fc.integer({min: 1, max: 40}), {maxLength: 5}),
	hostileText,
);

const hugeText = fc
	.record({pattern: hostileText, size: fc.integer({min: 10_000, max: 200_000})})
	.map(({pattern, size}) => {
		const unit = pattern || 'x';
		return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
	});

const EVENT_TYPES = Object.keys(EVENT_SHAPES);
const FIELD_NAMES = [...new Set(['t', ...Object.values(EVENT_SHAPES).flatMap(shapes => Object.keys(shapes))])];
/** A line of some event type with fields of any shape: mostly corrupt, sometimes an event nobody expected. */
const madeUpEvent = fc
	.record({
		type: fc.constantFrom(...EVENT_TYPES, 'header', 'no.such.type'),
		t: fc.oneof(fc.double({min: 0, max: 5000, noNaN: true}), anyValue),
		fields: fc.dictionary(fc.constantFrom(...FIELD_NAMES), anyValue, {maxKeys: 6}),
	})
	.map(({type, t, fields}) => ({type, t, ...fields}));

/** Line edits leave the header alone but for 'set header': a session without its header is no session, and no further test. */
type Mutation =
	| {kind: 'set' | 'set header'; line: number; field: number; value: unknown}
	| {kind: 'delete'; line: number; field: number}
	| {kind: 'drop' | 'duplicate'; line: number}
	| {kind: 'move'; line: number; to: number}
	| {kind: 'insert'; line: number; text: string}
	| {kind: 'cut'; at: number}
	| {kind: 'flip'; at: number; mask: number};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
	{arbitrary: fc.record({kind: fc.constant('set header' as const), line: fraction, field: fraction, value: anyValue}), weight: 1},
	...[
		fc.record({kind: fc.constant('set' as const), line: fraction, field: fraction, value: anyValue}),
		fc.record({kind: fc.constant('set' as const), line: fraction, field: fraction, value: hostileText}),
		fc.record({kind: fc.constant('set' as const), line: fraction, field: fraction, value: hugeText}),
		fc.record({kind: fc.constant('delete' as const), line: fraction, field: fraction}),
		fc.record({kind: fc.constantFrom('drop' as const, 'duplicate' as const), line: fraction}),
		fc.record({kind: fc.constant('move' as const), line: fraction, to: fraction}),
		fc.record({kind: fc.constant('insert' as const), line: fraction, text: fc.oneof(madeUpEvent.map(event => JSON.stringify(event)), hostileText)}),
		fc.record({kind: fc.constant('cut' as const), at: fraction}),
		fc.record({kind: fc.constant('flip' as const), at: fraction, mask: fc.integer({min: 1, max: 255})}),
	].map(arbitrary => ({arbitrary: arbitrary as fc.Arbitrary<Mutation>, weight: 4})),
);

/** A fuzzed file, shown in a failure's report as its text, cut short: the bytes would be thousands of lines. */
class Recording {
	constructor(readonly bytes: Buffer) {}

	[fc.toStringMethod](): string {
		const text = this.bytes.toString('utf8');
		return `${this.bytes.length} bytes: ${JSON.stringify(text.length > 4000 ? `${text.slice(0, 4000)}…` : text)}`;
	}
}

/** A real recording (or a bare header) and what is done to it. */
const recording = fc
	.record({base: fc.nat({max: RECORDINGS.length}), mutations: fc.array(mutation, {minLength: 1, maxLength: 8})})
	.map(({base, mutations}) => new Recording(mutate(RECORDINGS[base] ?? `${HEADER_LINE}\n`, mutations)));

const pick = (list: {length: number}, at: number): number => Math.floor(at * list.length);

/** Every field of a JSON value, nested ones too, as paths. */
function fieldPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
	if (typeof value !== 'object' || value === null) return [];
	return Object.entries(value).flatMap(([key, inner]) => {
		const here = [...path, Array.isArray(value) ? Number(key) : key];
		return [here, ...fieldPaths(inner, here)];
	});
}

/** Changes one field of a JSON line, or returns the line as it was when it is not JSON or has no fields. */
function editField(line: string, at: number, edit: (parent: Record<string | number, unknown>, key: string | number) => void): string {
	let value: unknown;
	try {
		value = JSON.parse(line);
	} catch {
		return line;
	}
	const paths = fieldPaths(value);
	if (paths.length === 0) return line;
	const path = paths[pick(paths, at)]!;
	let parent = value as Record<string | number, unknown>;
	for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
	edit(parent, path.at(-1)!);
	return JSON.stringify(value);
}

function mutate(text: string, mutations: readonly Mutation[]): Buffer {
	const lines = text.split('\n');
	let header = lines.shift()!;
	// Line edits first, on text; then byte edits, on the file they make, after its header.
	for (const change of mutations) {
		const line = pick(lines, 'line' in change ? change.line : 0);
		switch (change.kind) {
			case 'set header':
				header = editField(header, change.field, (parent, key) => (parent[key] = change.value));
				break;
			case 'set':
				lines[line] = editField(lines[line] ?? '', change.field, (parent, key) => (parent[key] = change.value));
				break;
			case 'delete':
				lines[line] = editField(lines[line] ?? '', change.field, (parent, key) => delete parent[key]);
				break;
			case 'drop':
				lines.splice(line, 1);
				break;
			case 'duplicate':
				lines.splice(line, 0, lines[line] ?? '');
				break;
			case 'move':
				lines.splice(pick(lines, change.to), 0, ...lines.splice(line, 1));
				break;
			case 'insert':
				lines.splice(line, 0, change.text);
				break;
			default:
		}
	}
	const head = Buffer.from(`${header}\n`);
	let body = Buffer.from(lines.join('\n'));
	for (const change of mutations) {
		if (change.kind === 'cut') body = body.subarray(0, pick(body, change.at));
		else if (change.kind === 'flip' && body.length > 0) body[pick(body, change.at)]! ^= change.mask;
	}
	return Buffer.concat([head, body]);
}

type Exit = 0 | 1 | 70;

/** As source/cli/main.ts maps what a command throws: a recording that cannot be read is the user's (1), the rest asyncmon's (70). */
async function exitOf(command: () => Promise<unknown>): Promise<{exit: Exit; error?: unknown}> {
	try {
		await command();
		return {exit: 0};
	} catch (error) {
		const usersMistake = error instanceof Error && (error.name === 'SessionFileError' || error.name === 'OutputFileError');
		return {exit: usersMistake ? 1 : 70, error};
	}
}

class Collected extends Writable {
	text = '';

	override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
		this.text += String(chunk);
		done();
	}
}

/** `asyncmon report FILE --format F [--lenient]`, in process: its exit, what it printed and warned. */
async function report(file: string, format: ReportFormat, lenient: boolean) {
	const stdout = new Collected();
	let warnings: string[] = [];
	const outcome = await exitOf(async () => {
		({warnings} = await runReport({file, format, lenient, progress: null, insights: computeInsights, stdout}));
	});
	return {...outcome, out: stdout.text, warnings};
}

/** `asyncmon replay FILE --plain --lenient`, in process, as source/cli/commands/replay.ts prints it. */
async function replayPlain(file: string) {
	let out = '';
	let warnings: string[] = [];
	const outcome = await exitOf(async () => {
		const sink = {write: (text: string) => (out += text)};
		const state = createState();
		const printer = new PlainPrinter({out: sink, err: sink, color: false, ascii: false});
		const pipeline = new SessionPipeline(state, {printer});
		const lines = readSession(file, {lenient: true});
		for await (const line of lines) pipeline.take(line);
		printer.finish(state);
		warnings = loadWarnings(lines.stats, state);
	});
	return {...outcome, out, warnings};
}

/** What a reader's output may hold, by where it goes: a terminal or a Markdown file, a browser, a JSON parser. */
function problemsOf(format: ReportFormat | 'plain', out: string): string | null {
	if (format === 'json' || format === 'chrome-trace') {
		try {
			JSON.parse(out);
		} catch (error) {
			return `not JSON: ${String(error)}`;
		}
		return controlCharacters(out);
	}
	if (format === 'html') return foreignMarkup(out) ?? controlCharacters(out);
	return controlCharacters(out);
}

/** Reading grows with what is read, not without bound: the output is at most a fixed multiple of the file. */
const MAX_OUTPUT_PER_BYTE = 10;
const OUTPUT_ALLOWANCE = 256 * 1024;
const MAX_HEAP_BYTES = 1 << 30;

describe('fuzzed recordings', () => {
	const dir = tempDir();
	const file = join(dir, 'fuzzed.ndjson');

	it('decode into an event or a reason, never a throw', () => {
		fc.assert(
			fc.property(recording, ({bytes}) => {
				const [first = '', ...rest] = bytes.toString('utf8').split('\n');
				decodeHeader(first);
				for (const line of rest) {
					const event = decodeEvent(line);
					expect(typeof event === 'string' || (typeof event === 'object' && event !== null)).toBe(true);
				}
			}),
			{seed: SEED, numRuns: RUNS},
		);
	});

	it('exit 0 or 1 in every report format and replay --plain, with nothing from the data driving a terminal or a browser', async () => {
		await fc.assert(
			fc.asyncProperty(recording, async ({bytes}) => {
				writeFileSync(file, bytes);
				const bound = MAX_OUTPUT_PER_BYTE * bytes.length + OUTPUT_ALLOWANCE;
				const strict = await report(file, 'text', false);
				expect(strict.exit, String(strict.error)).not.toBe(70);
				const runs = [...REPORT_FORMATS.map(async format => ({format, ...(await report(file, format, true))})), replayPlain(file).then(run => ({format: 'plain' as const, ...run}))];
				for (const run of await Promise.all(runs)) {
					expect(run.exit, `${run.format}: ${String(run.error)}`).not.toBe(70);
					if (run.exit !== 0) continue;
					expect(problemsOf(run.format, run.out), run.format).toBeNull();
					expect(controlCharacters(run.warnings.join('\n')), `${run.format} warnings`).toBeNull();
					expect(run.out.length, `${run.format} output for ${bytes.length} bytes`).toBeLessThanOrEqual(bound);
				}
				expect(process.memoryUsage().heapUsed).toBeLessThan(MAX_HEAP_BYTES);
			}),
			{seed: SEED, numRuns: RUNS},
		);
	}, 120_000);

	it('through the real CLI: exit 0 or 1, no escape on stdout or stderr, no markup from the data in HTML', async () => {
		const crafted = Buffer.from(hostileSession(HOSTILE_STRINGS.join('')).map(line => `${JSON.stringify(line)}\n`).join(''));
		const samples = [crafted, ...fc.sample(recording, {seed: SEED, numRuns: 2}).map(sample => sample.bytes)];
		for (const [index, bytes] of samples.entries()) {
			const sample = join(dir, `cli-${index}.ndjson`);
			writeFileSync(sample, bytes);
			const runs = await Promise.all([
				...(['text', 'md', 'html'] as const).map(async format => ({format, ...(await runCli(['report', sample, '--format', format, '--lenient']))})),
				runCli(['replay', sample, '--plain', '--lenient']).then(result => ({format: 'plain' as const, ...result})),
			]);
			for (const run of runs) {
				expect(bytes === crafted ? [0] : [0, 1], `${run.format}: ${run.stderr}`).toContain(run.code);
				expect(controlCharacters(run.stderr), `${run.format} stderr`).toBeNull();
				if (run.code === 0) expect(problemsOf(run.format, run.stdout), run.format).toBeNull();
			}
		}
	}, 60_000);
});
