import {createRequire} from 'node:module';
import type StringWidth from 'string-width';
import {once} from '../protocol/once.js';
import {formatCount} from './numbers.js';

/**
 * Terminal cell widths, as Ink measures them (string-width): a frame's lines must be exactly as wide as Ink
 * takes them to be, or Ink cuts them and their columns go out of line. Text is cut between graphemes (what a
 * terminal shows as one character: a flag, a family emoji, a skin tone, a letter and its accent), never inside one.
 */
const graphemes = once(() => new Intl.Segmenter(undefined, {granularity: 'grapheme'}));

/**
 * Both made the first time a text that is not ASCII is cut or measured, not as the module loads: the segmenter
 * takes 8 ms to make (ICU's break rules), and string-width with its tables and its emoji expression 30-40 ms to
 * load; plain mode, whose lines are measured only in reports, would pay both at every start, while the script
 * starts beside it on the same cores (the trivial script's run: 8 ms of the monitor's 66 ms of CPU).
 */
const stringWidth = once(() => (createRequire(import.meta.url)('string-width') as {default: typeof StringWidth}).default);

/** The text's graphemes, each with its width in cells. */
function cells(text: string): Array<[string, number]> {
	return Array.from(graphemes().segment(text), ({segment}): [string, number] => [segment, stringWidth()(segment)]);
}

const isAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

/** Width in cells of the text as it is shown: sanitized (see sanitize), so colours and controls take none. */
export function textWidth(text: string): number {
	if (isAscii(text)) return text.length;
	let width = widths.get(text);
	if (width === undefined) {
		if (widths.size >= MAX_WIDTHS_KEPT) widths.clear();
		width = stringWidth()(sanitize(text));
		widths.set(text, width);
	}
	return width;
}

/**
 * Widths of texts that are not ASCII, kept from frame to frame: string-width reads each grapheme through ICU, and a
 * frame measures every cell it shows (a row's icon, its name, its bar) twice, most of them as in the frame before.
 */
const widths = new Map<string, number>();
const MAX_WIDTHS_KEPT = 4096;

/** Sanitized (see sanitize), then cut to at most `width` cells, the cut marked with an ellipsis. */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	if (isAscii(text)) return text.length <= width ? text : text.slice(0, width - 1) + '…';
	const shown = sanitize(text);
	if (textWidth(shown) <= width) return shown;
	let used = 0;
	let out = '';
	for (const [grapheme, w] of cells(shown)) {
		if (used + w > width - 1) break;
		out += grapheme;
		used += w;
	}
	return out + '…';
}

/** Exactly `width` cells: sanitized, truncated, then padded. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const cut = truncate(text, width);
	const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
	return align === 'left' ? cut + pad : pad + cut;
}

/** Keeps the end of a long text (paths, URLs), where the telling part is; sanitized like truncate. */
export function truncateStart(text: string, width: number): string {
	const shown = sanitize(text);
	if (textWidth(shown) <= width) return shown;
	if (width <= 1) return truncate(shown, width);
	const shownCells = cells(shown);
	let used = 0;
	let start = shownCells.length;
	while (start > 0) {
		const w = shownCells[start - 1]![1];
		if (used + w > width - 1) break;
		used += w;
		start--;
	}
	return '…' + shownCells.slice(start).map(([grapheme]) => grapheme).join('');
}

/** What --ascii shows for the characters that have a likely stand-in; the rest are `?`. */
const ASCII_STAND_INS: Readonly<Record<string, string>> = {
	'…': '~',
	'·': '.',
	'–': '-',
	'—': '-',
	'‘': "'",
	'’': "'",
	'“': '"',
	'”': '"',
	'×': 'x',
	'→': '>',
	'←': '<',
	'█': '#',
	'▸': '>',
	'⚠': '!',
	'\u00a0': ' ',
};

/**
 * Under --ascii: the text in ASCII alone, each character in as many cells as
 * it takes (a cut's `…` is `~`, `é` is `e`, a wide character `??`), so a
 * line keeps its width and its columns stay in line.
 */
export function asciiOnly(text: string): string {
	if (/^[\x00-\x7f]*$/.test(text)) return text;
	let out = '';
	for (const [grapheme, w] of cells(text)) {
		if (/^[\x00-\x7f]+$/.test(grapheme)) out += grapheme;
		// A stand-in only where it takes the cells the character did (`⚠️`, an emoji, takes two: `??`).
		else out += (w === 1 ? (ASCII_STAND_INS[grapheme] ?? asciiLetter(grapheme)) : undefined) ?? '?'.repeat(w);
	}
	return out;
}

/** A letter with an accent, as its letter. */
function asciiLetter(char: string): string | undefined {
	const base = char.normalize('NFD')[0]!;
	return base.codePointAt(0)! < 0x80 ? base : undefined;
}

/** Keeps both ends of a long text, the cut in the middle: a call's name and the end of its arguments. */
export function truncateMiddle(text: string, width: number): string {
	const shown = sanitize(text);
	if (textWidth(shown) <= width) return shown;
	if (width <= 2) return truncate(shown, width);
	const tail = Math.floor((width - 1) / 2);
	const head = truncate(shown, width - tail).slice(0, -1);
	return `${head}…${truncateStart(shown, tail + 1).slice(1)}`;
}

/**
 * Cuts `text` to `width` cells keeping what tells it from `other`, a sibling's name (the same call with other
 * arguments), which a cut in the middle may drop: `tick("tick-2", 2…68)`, not `tick("tic…368)`. What the two share
 * at their end goes first, then what they share at their start; with nothing to tell apart, the middle goes.
 */
export function truncateApart(text: string, other: string, width: number): string {
	const shown = sanitize(text);
	if (textWidth(shown) <= width) return shown;
	const chars = [...shown];
	const others = [...sanitize(other)];
	let start = 0;
	while (start < chars.length && start < others.length && chars[start] === others[start]) start++;
	let end = 0;
	while (end < chars.length - start && end < others.length - start && chars[chars.length - 1 - end] === others[others.length - 1 - end]) end++;
	const head = chars.slice(0, start).join('');
	const differs = chars.slice(start, chars.length - end).join('');
	const tail = chars.slice(chars.length - end).join('');
	const headWidth = textWidth(head);
	const differsWidth = textWidth(differs);
	if (differsWidth === 0 || differsWidth + 2 > width) return truncateMiddle(shown, width);
	if (headWidth + differsWidth + 2 <= width) return head + differs + truncateStart(tail, width - headWidth - differsWidth);
	// A cut in the middle that keeps what differs, in the end it keeps (see truncateMiddle), keeps more around it.
	if (differsWidth + textWidth(tail) <= Math.floor((width - 1) / 2)) return truncateMiddle(shown, width);
	// The shared end keeps a few cells (a call's close), the shared start the rest, cut at its end.
	const tailShown = truncateStart(tail, Math.min(textWidth(tail), TAIL_KEPT));
	const headRoom = width - differsWidth - textWidth(tailShown);
	if (headRoom < MIN_HEAD_KEPT) return truncateMiddle(shown, width);
	return truncate(head, headRoom) + differs + tailShown;
}

/** Cells truncateApart keeps of the shared end when it must cut the shared start too. */
const TAIL_KEPT = 4;
/** Less of the shared start than this (a function's name) and it cuts in the middle instead. */
const MIN_HEAD_KEPT = 4;

/** Keeps a location's file name and line: the column goes first, then the folders from the front. */
export function truncateLocation(location: string, width: number): string {
	const shown = sanitize(location);
	if (textWidth(shown) <= width) return shown;
	return truncateStart(shown.replace(/:\d+$/, ''), width);
}

/**
 * Keeps a URL's path, which tells one request from another: the scheme goes
 * first, then the host, then the query, then the path's start (its end holds the ids).
 */
export function truncateUrl(url: string, width: number): string {
	const shown = sanitize(url);
	if (textWidth(shown) <= width) return shown;
	const withoutScheme = shown.replace(/^[a-z][a-z\d+.-]*:\/\//i, '');
	if (textWidth(withoutScheme) <= width) return withoutScheme;
	const slash = withoutScheme.indexOf('/');
	const path = slash === -1 ? withoutScheme : withoutScheme.slice(slash);
	if (textWidth(path) + 1 <= width) return `…${path}`;
	const query = path.indexOf('?');
	const bare = query === -1 ? path : path.slice(0, query);
	return textWidth(bare) < width ? truncate(path, width) : truncateStart(bare, width);
}

/** Every sanitizing rule starts from one of these: text without any is left as it is, unread. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/**
 * Whole escape sequences: CSI (colours, cursor moves, erasing) and the string
 * commands, OSC (window titles, links, the clipboard), DCS, SOS, PM and APC,
 * up to their terminator. A sequence cut short loses its ESC with the other controls.
 */
const ESCAPE_SEQUENCES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)/g;
/**
 * C0 controls (bare CR and backspace among them), DEL and C1 controls, which some terminals obey as ESC sequences;
 * and the bidirectional marks, embeddings, overrides and isolates, which reorder what follows them on the line
 * (a name that reads as another, the columns after it out of place: "Trojan Source").
 */
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_BUT_LINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** A run of white space with a line break in it, matched whole from its start: linear however long the run. */
const LINE_BREAKS = /(?<!\s)\s*\n\s*/g;

/**
 * Text from the script (its output, names, URLs, error messages) may carry
 * colours, cursor moves, window titles, tabs and line breaks: none of it may
 * reach the layout or the terminal. A message's lines become one line, its
 * words kept apart.
 */
export function sanitize(text: string): string {
	if (!CONTROL.test(text)) return text;
	return text
		.replace(ESCAPE_SEQUENCES, '')
		.replace(LINE_BREAKS, (run: string, at: number, whole: string) => (at === 0 || at + run.length === whole.length ? '' : ' '))
		.replace(/\t/g, '  ')
		.replace(CONTROLS, '');
}

/**
 * Text from the script that is shown as lines (a code frame, output read back
 * from a recording): sanitized like sanitize, but its line breaks and tabs stay.
 */
export function sanitizeLines(text: string): string {
	if (!CONTROL.test(text)) return text;
	return text.replace(ESCAPE_SEQUENCES, '').replace(/\r\n/g, '\n').replace(CONTROLS_BUT_LINES, '');
}

/** Words laid out in lines of at most `width` columns, sanitized; a word longer than that is cut. */
export function wrapText(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of sanitize(text).split(/\s+/).filter(Boolean)) {
		const candidate = line ? `${line} ${word}` : word;
		if (textWidth(candidate) <= width) {
			line = candidate;
			continue;
		}
		if (line) lines.push(line);
		line = textWidth(word) <= width ? word : truncate(word, width);
	}
	if (line) lines.push(line);
	return lines;
}

/** `1 task`, `3 tasks`, `6,000 tasks`. */
export function counted(count: number, singular: string, pluralForm = `${singular}s`): string {
	return `${formatCount(count)} ${count === 1 ? singular : pluralForm}`;
}
