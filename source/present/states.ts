import type {NodeState} from '../model/state.js';
import type {Color} from './paint.js';

export interface StateStyle {
	icon: string;
	asciiIcon: string;
	label: string;
	color: Color;
}

export const STATE_STYLES: Readonly<Record<NodeState, StateStyle>> = {
	running: {icon: '▶', asciiIcon: '>', label: 'running', color: 'green'},
	waiting: {icon: '⏸', asciiIcon: '=', label: 'waiting', color: 'yellow'},
	ready: {icon: '⏫', asciiIcon: '^', label: 'ready', color: 'magenta'},
	finished: {icon: '✔', asciiIcon: 'v', label: 'done', color: 'gray'},
	failed: {icon: '✖', asciiIcon: 'x', label: 'failed', color: 'red'},
};

export function stateIcon(state: NodeState, ascii: boolean): string {
	const style = STATE_STYLES[state];
	return ascii ? style.asciiIcon : style.icon;
}

/** Every other character asyncmon draws with, so that --ascii reaches all of them. */
export interface Glyphs {
	running: string;
	waiting: string;
	ready: string;
	/** A request waiting for a connection. */
	queued: string;
	blocked: string;
	barFull: string;
	barEmpty: string;
	sparks: readonly string[];
	up: string;
	down: string;
	ascending: string;
	descending: string;
	cursor: string;
	rule: string;
	/** Between the parts of one description: `GET /items · ttfb 120ms`. */
	separator: string;
	/** Marks a line about an op of a task, such as its HTTP request. */
	child: string;
	/** Marks a request one of the script's servers received: `⇠ GET /users/7`. */
	received: string;
	/** Marks a line about the event loop being blocked. */
	warning: string;
	/** Leads to advice: an insight. */
	pointer: string;
}

const UNICODE: Glyphs = {
	running: '█',
	waiting: '░',
	ready: '▓',
	queued: '▒',
	blocked: '┃',
	barFull: '█',
	barEmpty: '░',
	sparks: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
	up: '↑',
	down: '↓',
	ascending: '▲',
	descending: '▼',
	cursor: '›',
	rule: '─',
	separator: '·',
	child: '↳',
	received: '⇠',
	warning: '⚠',
	pointer: '→',
};

const ASCII: Glyphs = {
	running: '#',
	waiting: '-',
	ready: '!',
	queued: '~',
	blocked: '|',
	barFull: '#',
	barEmpty: '.',
	sparks: ['_', '.', '-', '~', '=', '*', '#', '@'],
	up: '^',
	down: 'v',
	ascending: '^',
	descending: 'v',
	cursor: '*',
	rule: '-',
	separator: '|',
	child: '-',
	received: '<-',
	warning: '!',
	pointer: '->',
};

export function glyphs(ascii: boolean): Glyphs {
	return ascii ? ASCII : UNICODE;
}
