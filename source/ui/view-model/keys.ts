import type {ReplayAction} from '../replay-controls.js';
import type {Command, UiState} from './ui-state.js';

/** The subset of Ink's `Key` the dashboard reads; Ink's own type satisfies it. */
export interface KeyPress {
	upArrow: boolean;
	downArrow: boolean;
	leftArrow: boolean;
	rightArrow: boolean;
	pageUp: boolean;
	pageDown: boolean;
	home: boolean;
	end: boolean;
	return: boolean;
	escape: boolean;
	ctrl: boolean;
	tab: boolean;
	backspace: boolean;
	delete: boolean;
}

const NO_KEY: KeyPress = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageUp: false,
	pageDown: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	tab: false,
	backspace: false,
	delete: false,
};

/** Control characters that can arrive inside a chunk of text, and the key each one is. */
const CONTROL_KEYS: Readonly<Record<string, Partial<KeyPress>>> = {
	'\r': {return: true},
	'\n': {return: true},
	'\t': {tab: true},
	'\u007f': {backspace: true},
	'\b': {backspace: true},
};

/** Keys that arrive in one chunk (fast typing, a paste, `/name` then Enter) are one key press per character. */
export function keyPresses(input: string, key: KeyPress): Array<[string, KeyPress]> {
	const special = Object.values(key).some(Boolean);
	if (special || [...input].length <= 1) return [[input, key]];
	return [...input].map(character => {
		const control = CONTROL_KEYS[character];
		return control ? ['', {...NO_KEY, ...control}] : [character, NO_KEY];
	});
}

export function commandForKey(input: string, key: KeyPress, ui: UiState, replay: boolean): Command | null {
	if (key.ctrl && input === 'c') return {type: 'quit'};
	if (ui.editingFilter) return filterCommand(input, key);
	if (key.escape) return {type: 'back'};
	if (key.return) return {type: 'openDetails'};
	if (key.tab) return {type: 'switchPane'};
	if (key.upArrow) return {type: 'move', delta: -1};
	if (key.downArrow) return {type: 'move', delta: 1};
	if (key.pageUp) return {type: 'page', direction: -1};
	if (key.pageDown) return {type: 'page', direction: 1};
	if (key.leftArrow) return {type: 'sort', step: -1};
	if (key.rightArrow) return {type: 'sort', step: 1};
	if (key.home) return replay ? {type: 'replay', action: 'seekStart'} : {type: 'jump', to: 'first'};
	if (key.end) return replay ? {type: 'replay', action: 'seekEnd'} : {type: 'jump', to: 'last'};
	if (replay) {
		const action = REPLAY_KEYS[input];
		if (action) return {type: 'replay', action};
	}
	return CHARACTER_KEYS[input] ?? null;
}

const REPLAY_KEYS: Readonly<Record<string, ReplayAction>> = {
	' ': 'togglePause',
	'+': 'faster',
	'=': 'faster',
	'-': 'slower',
	'.': 'stepForward',
	',': 'stepBack',
};

const CHARACTER_KEYS: Readonly<Record<string, Command>> = {
	q: {type: 'quit'},
	j: {type: 'move', delta: 1},
	k: {type: 'move', delta: -1},
	g: {type: 'jump', to: 'first'},
	G: {type: 'jump', to: 'last'},
	'/': {type: 'startFilter'},
	s: {type: 'sort', step: 1},
	'>': {type: 'sort', step: 1},
	'<': {type: 'sort', step: -1},
	i: {type: 'invertSort'},
	' ': {type: 'togglePause'},
	t: {type: 'toggleTimeline'},
	o: {type: 'toggleOutput'},
	c: {type: 'toggleFinished'},
	'?': {type: 'toggleHelp'},
	n: {type: 'toggleInsights'},
};

function filterCommand(input: string, key: KeyPress): Command | null {
	if (key.escape) return {type: 'back'};
	if (key.return) return {type: 'filterCommit'};
	if (key.backspace || key.delete) return {type: 'filterErase'};
	const printable = input.replace(/[\x00-\x1f\x7f]/g, '');
	return printable === '' || key.ctrl ? null : {type: 'filterType', text: printable};
}
