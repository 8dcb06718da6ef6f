import type {ProtocolLine} from '../../source/protocol/events.js';
import {event, header} from './events.js';

/** What a crafted recording may put in any string: terminal escapes, other controls, and markup. */
export const HOSTILE_STRINGS: readonly string[] = [
	'\x1b]2;window title\x07',
	'\x1b]8;;http://evil.test/\x1b\\a link\x1b]8;;\x1b\\',
	'\x1b]52;c;Y2xpcGJvYXJk\x1b\\',
	'\x1b[31mred\x1b[0m',
	'\x1b[2J\x1b[H\x1b[?25l',
	'\x1bPdevice control\x1b\\',
	'over\rwritten',
	'back\bspace',
	'\x9b31mC1 CSI\x9d0;C1 OSC\x9c',
	'nul\x00 del\x7f bell\x07 tab\t vt\x0b ff\x0c',
	'"><script>alert(1)</script>',
	"'><img src=x onerror=alert(1)>",
	'" onmouseover="alert(1)',
	'</title></g></svg><svg onload=alert(1)>',
	'| a | b |\n## heading [link](javascript:alert(1)) `code` *em* <b>&amp;',
	'two\nlines\r\n',
];

/** Any control character but a line feed or a tab: ESC, CR, backspace, C1 controls. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** Where text bound for a terminal or a Markdown file holds a control character, with what is around it. */
export function controlCharacters(text: string): string | null {
	const at = text.search(CONTROL);
	return at === -1 ? null : JSON.stringify(text.slice(Math.max(0, at - 40), at + 40));
}

const OWN_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'section', 'svg', 'rect', 'line', 'text', 'g', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'footer', 'span']);
const OWN_ATTRIBUTES = new Set(['lang', 'charset', 'name', 'content', 'class', 'xmlns', 'viewBox', 'width', 'height', 'role', 'aria-label', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'rx', 'data-task-id', 'data-op-id', 'data-state']);
const TAG = /^<\/?([a-z][a-z0-9]*)((?:\s+[a-zA-Z][\w:-]*="[^"<>]*")*)\s*\/?>/;

/**
 * The first '<' of an HTML report that does not open one of the report's own tags with the report's own
 * attributes: markup that came from the data. Null when there is none.
 */
export function foreignMarkup(html: string): string | null {
	for (let at = html.indexOf('<'); at !== -1; at = html.indexOf('<', at + 1)) {
		const rest = html.slice(at, at + 2000);
		if (at === 0 && rest.startsWith('<!doctype html>')) continue;
		const tag = TAG.exec(rest);
		const attributes = tag ? [...tag[2]!.matchAll(/([a-zA-Z][\w:-]*)="/g)].map(match => match[1]!) : [];
		if (!tag || !OWN_TAGS.has(tag[1]!) || !attributes.every(name => OWN_ATTRIBUTES.has(name))) return JSON.stringify(rest.slice(0, 80));
	}
	return null;
}

/**
 * A session with `text` in every string a reader shows: the script, task and op names, locations,
 * URLs, errors and their stacks, block frames, output, the exit signal, servers and floating sites.
 */
export function hostileSession(text: string): ProtocolLine[] {
	const error = {name: `Error${text}`, message: `failed ${text}`, stack: `Error: ${text}\n    at f (${text}:1:1)`, location: `${text}:1:1`};
	return [
		header({script: `app${text}.ts`, argv: [text], cwd: `/app${text}`, node: `v24${text}`}),
		event('task.start', {t: 0, id: 1, kind: 'script', name: `app${text}.ts`, loc: `app${text}.ts:1:1`}),
		event('task.start', {t: 1, id: 2, parent: 1, name: `load(${text})`, loc: `src/${text}.ts:3:1`}),
		event('op.start', {t: 2, id: 3, parent: 2, kind: 'http', name: `GET ${text}`, http: {method: `GET${text}`, url: `http://h${text}/x`}}),
		event('task.await', {t: 3, id: 2, site: `src/${text}.ts:4:3`, on: {kind: 'op', id: 3}}),
		event('op.start', {t: 3, id: 4, parent: 1, kind: 'timer', name: `setTimeout ${text}`, timer: {delayMs: 5, repeat: false}}),
		event('floating', {t: 4, task: 2, by: 1, site: `src/${text}.ts:9:1`}),
		event('op.phase', {t: 5, id: 3, phase: 'sent', queueMs: 1, connectMs: 1}),
		event('op.phase', {t: 6, id: 3, phase: 'headers', status: 500}),
		event('op.end', {t: 7, id: 3, ok: false, status: 500, bytes: 10, error}),
		event('output', {t: 8, text: `out ${text}\n`}),
		event('output', {t: 8, stream: 'stderr', text: `err ${text}\n`}),
		event('task.resume', {t: 9, id: 2, readyAt: 8, wait: 6, sched: 1}),
		event('block.start', {t: 10, id: 1, task: 2, detectedAt: 60}),
		event('block.stack', {t: 61, id: 1, frames: [{fn: `spin${text}`, loc: `src/${text}.ts:5:5`}]}),
		event('block.end', {t: 110, id: 1, durationMs: 100, task: 2}),
		event('task.end', {t: 111, id: 2, ok: false, busy: 101, error}),
		event('alive', {t: 120, idleSince: 111, resources: {[`Timeout${text}`]: 1}, servers: [{address: `127.0.0.1:${text}`, loc: `src/${text}.ts:7:1`}]}),
		event('uncaught', {t: 130, origin: 'unhandledRejection', error, task: 2}),
		event('exit', {t: 140, code: null, signal: `SIG${text}`}),
	];
}
