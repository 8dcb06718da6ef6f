import {describe, expect, it} from 'vitest';
import {helpLines} from '../../../source/ui/view-model/help.js';
import {footerHints, KEY_BINDINGS, keyMode, servesSession, worksIn, type KeyAction, type KeyMatch, type Screen, type Session, type SpecialKey} from '../../../source/ui/view-model/key-bindings.js';
import {commandForKey, type KeyPress} from '../../../source/ui/view-model/keys.js';
import {glyphs} from '../../../source/present/states.js';
import {INITIAL_UI, type Command, type UiState} from '../../../source/ui/view-model/ui-state.js';

const NO_KEY: KeyPress = {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageUp: false, pageDown: false, home: false, end: false, return: false, escape: false, ctrl: false, tab: false, backspace: false, delete: false};
const SESSIONS: readonly Session[] = ['live', 'replay'];
const TYPED = 'x';

/** Every UI state that gives the keys to a screen. */
const UI_ON: Record<Screen, readonly UiState[]> = {
	rows: [INITIAL_UI, {...INITIAL_UI, view: 'timeline', showOutput: true, focus: 'output'}],
	overlay: [{...INITIAL_UI, help: true}, {...INITIAL_UI, insights: true}, {...INITIAL_UI, detailsId: 1}],
	filter: [{...INITIAL_UI, editingFilter: true}, {...INITIAL_UI, editingFilter: true, insights: true}],
};

/** The key press, as Ink reports it, that a match stands for. */
function pressOf(match: KeyMatch): [string, KeyPress] {
	if ('special' in match) return ['', {...NO_KEY, [match.special]: true}];
	if ('ctrl' in match) return [match.ctrl, {...NO_KEY, ctrl: true}];
	if ('char' in match) return [match.char, NO_KEY];
	return [TYPED, NO_KEY];
}

const commandOf = (action: KeyAction): Command => (typeof action.command === 'function' ? action.command(TYPED) : action.command);

const SPECIAL_NAMES: Record<SpecialKey, string> = {upArrow: '↑', downArrow: '↓', leftArrow: '←', rightArrow: '→', pageUp: 'PgUp', pageDown: 'PgDn', home: 'Home', end: 'End', return: 'Enter', escape: 'Esc', tab: 'Tab', backspace: 'Backspace', delete: 'Delete'};
function nameOf(match: KeyMatch): string {
	if ('special' in match) return SPECIAL_NAMES[match.special];
	if ('ctrl' in match) return `Ctrl-${match.ctrl.toUpperCase()}`;
	if ('char' in match) return match.char === ' ' ? 'Space' : match.char;
	return 'text';
}

/** The commands keys reach with the help shown or not: everywhere but while a filter is typed. */
function browsingCommands(session: Session, withHelp: boolean): Command[] {
	return KEY_BINDINGS.filter(binding => binding.screens.includes('rows') && (binding.help !== undefined || !withHelp))
		.flatMap(binding => binding.actions)
		.filter(action => worksIn(action, session))
		.map(commandOf);
}

describe('key bindings', () => {
	it('dispatch every key of every binding to its command, in every mode where it applies', () => {
		for (const binding of KEY_BINDINGS) {
			for (const screen of binding.screens) {
				for (const ui of UI_ON[screen]) {
					for (const session of SESSIONS) {
						expect(keyMode(ui, session === 'replay')).toEqual({session, screen});
						for (const action of binding.actions.filter(each => worksIn(each, session))) {
							for (const match of action.keys) {
								const [input, key] = pressOf(match);
								expect(commandForKey(input, key, ui, session === 'replay'), `${nameOf(match)} on ${screen} (${session})`).toEqual(commandOf(action));
							}
						}
					}
				}
			}
		}
	});

	it('type every character key into the filter while it is edited, Ctrl-C aside', () => {
		const characters = KEY_BINDINGS.flatMap(binding => binding.actions.flatMap(action => action.keys)).flatMap(match => ('char' in match ? [match.char] : []));
		for (const character of characters) {
			for (const ui of UI_ON.filter) expect(commandForKey(character, NO_KEY, ui, true)).toEqual({type: 'filterType', text: character});
		}
		expect(commandForKey('c', {...NO_KEY, ctrl: true}, UI_ON.filter[0]!, false)).toEqual({type: 'quit'});
	});

	it('give Home and End to the rows live and to playback in a replay; replay keys do nothing live', () => {
		const home: KeyPress = {...NO_KEY, home: true};
		expect(commandForKey('', home, INITIAL_UI, false)).toEqual({type: 'jump', to: 'first'});
		expect(commandForKey('', home, INITIAL_UI, true)).toEqual({type: 'replay', action: 'seekStart'});
		for (const input of ['+', '=', '-', '.', ',']) expect(commandForKey(input, NO_KEY, INITIAL_UI, false)).toBeNull();
	});

	it('list in help every command keys reach outside the filter, and only what the session has', () => {
		for (const session of SESSIONS) {
			const described = browsingCommands(session, true);
			for (const command of browsingCommands(session, false)) expect(described).toContainEqual(command);
			const help = helpLines(session, false, 200).map(line => line.map(segment => segment.text).join(''));
			for (const binding of KEY_BINDINGS) {
				if (!binding.help) continue;
				const text = binding.help.text;
				const shown = help.some(line => line.endsWith(typeof text === 'string' ? text : text(session)));
				expect(shown, binding.help.keys).toBe(servesSession(binding, session));
			}
		}
	});

	// A narrow header shows the states' icons alone (`▶ 0  ⏸ 5  ⏫ 0  ✔ 8  ✖ 0`): the help says which is which.
	it('map each row state to its icon, the ASCII one under --ascii', () => {
		const states = (ascii: boolean): string => {
			const lines = helpLines('live', ascii, 300).map(line => line.map(segment => segment.text).join(''));
			return lines[lines.findIndex(line => line.includes('Row states')) + 1]!;
		};
		expect(states(false)).toMatch(/▶ running, ⏸ waiting, ⏫ ready \(resolved but not yet resumed: the loop is busy\), ✔ done, ✖ failed/);
		expect(states(true)).toMatch(/> running, = waiting, \^ ready .*, v done, x failed/);
	});

	it("say what q does in each session: a replay's quits, a live one's interrupts the script first", () => {
		const quitLine = (session: Session): string | undefined => helpLines(session, false, 200).map(line => line.map(segment => segment.text).join('')).find(line => line.trimStart().startsWith('q, Ctrl-C'));
		expect(quitLine('replay')).toMatch(/q, Ctrl-C\s+quit$/);
		expect(quitLine('live')).toMatch(/q, Ctrl-C\s+interrupt the script; again \(or once it ended\) to quit$/);
	});

	it('write the help without arrows under --ascii, the descriptions in one column past the widest keys', () => {
		const text = (session: Session, ascii: boolean): string[] => helpLines(session, ascii, 200).map(line => line.map(segment => segment.text).join(''));
		expect(text('replay', true).join('\n')).not.toMatch(/[↑↓←→]/);
		expect(text('replay', true)).toContain(`  ${'j k, Up Down'.padEnd(20)}move`);
		expect(text('live', false)).toContain(`  ${'j k, ↑ ↓'.padEnd(13)}move`);
		for (const [session, ascii, column] of [['live', false, 15], ['replay', true, 22]] as const) {
			const lines = text(session, ascii);
			const keyRows = lines.slice(1, lines.indexOf(''));
			expect(keyRows.length).toBeGreaterThan(10);
			for (const row of keyRows) expect(row.slice(column - 1, column + 1)).toMatch(/^ \S$/);
		}
	});

	it('hint in the footer only keys of the binding they belong to, on screens where it applies', () => {
		for (const binding of KEY_BINDINGS) {
			if (!binding.hint) continue;
			const names = binding.actions.flatMap(action => action.keys.map(nameOf));
			for (const screen of binding.hint.on) {
				expect(binding.screens).toContain(screen);
				for (const ui of UI_ON[screen]) {
					for (const session of SESSIONS.filter(each => servesSession(binding, each))) {
						const text = typeof binding.hint.text === 'string' ? binding.hint.text : binding.hint.text({ui, session, glyphs: glyphs(false)});
						for (const key of text.split(' ')[0]!.split(/(?<=.)\/(?=.)/)) expect(names, text).toContain(key);
					}
				}
			}
		}
	});

	it('keep the footer of each screen', () => {
		const unicode = glyphs(false);
		expect(footerHints({session: 'live', screen: 'rows'}, INITIAL_UI, unicode)).toEqual(['q quit', '? help', 'n insights', '/ filter', 's sort:start▲', 'i invert', 'c hide done', 't timeline', 'o output', 'Enter details', 'Space pause']);
		const changed: UiState = {...INITIAL_UI, view: 'timeline', query: {...INITIAL_UI.query, sort: 'total', hideFinished: true, inverted: true}};
		expect(footerHints({session: 'replay', screen: 'rows'}, changed, unicode).slice(4)).toEqual(['s sort:total▲', 'i invert', 'c show done', 't table', 'o output', 'Enter details', 'Space play/pause', '+/- speed', ',/. step', 'Home/End']);
		expect(footerHints({session: 'live', screen: 'overlay'}, INITIAL_UI, unicode)).toEqual(['q quit', 'j/k scroll', 'Esc back']);
		expect(footerHints({session: 'replay', screen: 'filter'}, INITIAL_UI, unicode)).toEqual(['Enter keep', 'Esc clear']);
	});
});
