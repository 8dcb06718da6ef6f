import {KEY_BINDINGS, keyMode, SPECIAL_KEYS, worksIn, type KeyMatch, type SpecialKey} from './key-bindings.js';
import type {Command, UiState} from './ui-state.js';

/** The subset of Ink's `Key` the dashboard reads; Ink's own type satisfies it. */
export type KeyPress = Readonly<Record<SpecialKey | 'ctrl', boolean>>;

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
	const {session, screen} = keyMode(ui, replay);
	const actions = KEY_BINDINGS.filter(binding => binding.screens.includes(screen)).flatMap(binding => binding.actions);
	const action = actions.find(each => worksIn(each, session) && each.keys.some(match => matches(match, input, key)));
	if (!action) return null;
	return typeof action.command === 'function' ? action.command(printable(input)) : action.command;
}

function matches(match: KeyMatch, input: string, key: KeyPress): boolean {
	if ('special' in match) return key[match.special];
	if ('ctrl' in match) return key.ctrl && input === match.ctrl;
	// The text that comes with a special key (Enter's "\r") is not typing.
	if (SPECIAL_KEYS.some(name => key[name])) return false;
	if ('char' in match) return input === match.char;
	return !key.ctrl && printable(input) !== '';
}

function printable(input: string): string {
	return input.replace(/[\x00-\x1f\x7f]/g, '');
}
