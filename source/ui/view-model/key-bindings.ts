import type {ReplayAction} from '../replay-controls.js';
import type {Glyphs} from '../../present/states.js';
import {isDescending} from './tree-rows.js';
import type {Command, UiState} from './ui-state.js';

/** The keys Ink reports by a flag of their own rather than as text. */
export const SPECIAL_KEYS = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageUp', 'pageDown', 'home', 'end', 'return', 'escape', 'tab', 'backspace', 'delete'] as const;
export type SpecialKey = (typeof SPECIAL_KEYS)[number];

export type KeyMatch =
	/** This character, with or without Ctrl. */
	| {char: string}
	| {special: SpecialKey}
	/** Ctrl with this letter. */
	| {ctrl: string}
	/** Any printable text: what is typed into the filter. */
	| {typed: true};

export type Session = 'live' | 'replay';

/** What has the keys: the rows (table or timeline), help, insights or details over them, or the filter being typed. */
export type Screen = 'rows' | 'overlay' | 'filter';

export interface KeyMode {
	session: Session;
	screen: Screen;
}

export interface KeyAction {
	keys: readonly KeyMatch[];
	/** A function builds the command from the typed text. */
	command: Command | ((typed: string) => Command);
	/** Only in this session; in both when absent. */
	session?: Session;
}

export interface HintContext {
	ui: UiState;
	session: Session;
	glyphs: Glyphs;
}

export interface KeyBinding {
	actions: readonly KeyAction[];
	screens: readonly Screen[];
	/** Its row in the help overlay; `asciiKeys` replaces `keys` under --ascii; `text` may say what the key does in the session. */
	help?: {keys: string; asciiKeys?: string; text: string | ((session: Session) => string)};
	/** Its word in the footer, on these screens. */
	hint?: {text: string | ((context: HintContext) => string); on: readonly Screen[]};
}

const QUIT: Command = {type: 'quit'};
const BROWSING: readonly Screen[] = ['rows', 'overlay'];

function playback(action: ReplayAction, ...keys: KeyMatch[]): KeyAction {
	return {keys, command: {type: 'replay', action}, session: 'replay'};
}

/**
 * Every key of the dashboard. The key handler, the help overlay and the footer
 * are read from here, in this order: a key does what its first matching action
 * says (Ctrl-C before c), and the footer keeps its most useful words first,
 * as a narrow terminal cuts the end.
 */
export const KEY_BINDINGS: readonly KeyBinding[] = [
	{actions: [{keys: [{ctrl: 'c'}], command: QUIT}], screens: ['rows', 'overlay', 'filter']},
	{
		actions: [{keys: [{char: 'q'}], command: QUIT}],
		screens: BROWSING,
		help: {keys: 'q, Ctrl-C', text: session => (session === 'replay' ? 'quit' : 'interrupt the script; again (or once it ended) to quit')},
		hint: {text: 'q quit', on: BROWSING},
	},
	{actions: [{keys: [{char: '?'}], command: {type: 'toggleHelp'}}], screens: BROWSING, help: {keys: '?', text: 'this help'}, hint: {text: '? help', on: ['rows']}},
	{
		actions: [{keys: [{char: 'n'}], command: {type: 'toggleInsights'}}],
		screens: BROWSING,
		help: {keys: 'n', text: 'insights: what to change, in plain words'},
		hint: {text: 'n insights', on: ['rows']},
	},
	{
		actions: [
			{keys: [{char: 'j'}, {special: 'downArrow'}], command: {type: 'move', delta: 1}},
			{keys: [{char: 'k'}, {special: 'upArrow'}], command: {type: 'move', delta: -1}},
		],
		screens: BROWSING,
		help: {keys: 'j k, ↑ ↓', asciiKeys: 'j k, Up Down', text: 'move'},
		hint: {text: 'j/k scroll', on: ['overlay']},
	},
	{
		actions: [
			{keys: [{char: 'g'}], command: {type: 'jump', to: 'first'}},
			{keys: [{char: 'G'}], command: {type: 'jump', to: 'last'}},
			// A replay gives Home and End to playback.
			{keys: [{special: 'home'}], command: {type: 'jump', to: 'first'}, session: 'live'},
			{keys: [{special: 'end'}], command: {type: 'jump', to: 'last'}, session: 'live'},
		],
		screens: BROWSING,
		help: {keys: 'g G', text: 'first / last row'},
	},
	{
		actions: [
			{keys: [{special: 'pageUp'}], command: {type: 'page', direction: -1}},
			{keys: [{special: 'pageDown'}], command: {type: 'page', direction: 1}},
		],
		screens: BROWSING,
		help: {keys: 'PgUp PgDn', text: 'page'},
	},
	{
		actions: [{keys: [{special: 'escape'}], command: {type: 'back'}}],
		screens: BROWSING,
		help: {keys: 'Esc', text: 'back, or clear the filter'},
		hint: {text: 'Esc back', on: ['overlay']},
	},
	{
		actions: [{keys: [{char: '/'}], command: {type: 'startFilter'}}],
		screens: BROWSING,
		help: {keys: '/', text: 'filter by name, location or URL'},
		hint: {text: '/ filter', on: ['rows']},
	},
	{
		actions: [
			{keys: [{char: 's'}, {char: '>'}, {special: 'rightArrow'}], command: {type: 'sort', step: 1}},
			{keys: [{char: '<'}, {special: 'leftArrow'}], command: {type: 'sort', step: -1}},
		],
		screens: BROWSING,
		help: {keys: 's > <, → ←', asciiKeys: 's > <, Right Left', text: 'sort by the next / previous column'},
		hint: {text: ({ui, glyphs}) => `s sort:${ui.query.sort}${isDescending(ui.query) ? glyphs.descending : glyphs.ascending}`, on: ['rows']},
	},
	{
		actions: [{keys: [{char: 'i'}], command: {type: 'invertSort'}}],
		screens: BROWSING,
		help: {keys: 'i', text: 'invert the sort order'},
		hint: {text: 'i invert', on: ['rows']},
	},
	{
		actions: [{keys: [{char: 'c'}], command: {type: 'toggleFinished'}}],
		screens: BROWSING,
		help: {keys: 'c', text: 'hide / show finished rows'},
		hint: {text: ({ui}) => (ui.query.hideFinished ? 'c show done' : 'c hide done'), on: ['rows']},
	},
	{
		actions: [{keys: [{char: 't'}], command: {type: 'toggleTimeline'}}],
		screens: BROWSING,
		help: {keys: 't', text: 'table / timeline view'},
		hint: {text: ({ui}) => (ui.view === 'table' ? 't timeline' : 't table'), on: ['rows']},
	},
	{
		actions: [{keys: [{char: 'o'}], command: {type: 'toggleOutput'}}],
		screens: BROWSING,
		help: {keys: 'o', text: 'show / hide the output pane'},
		hint: {text: 'o output', on: ['rows']},
	},
	{
		actions: [{keys: [{special: 'return'}], command: {type: 'openDetails'}}],
		screens: BROWSING,
		help: {keys: 'Enter', text: 'details of the selected row'},
		hint: {text: 'Enter details', on: ['rows']},
	},
	{
		actions: [{keys: [{special: 'tab'}], command: {type: 'switchPane'}}],
		screens: BROWSING,
		help: {keys: 'Tab', text: 'switch between the main and output panes'},
	},
	{
		actions: [
			{keys: [{char: ' '}], command: {type: 'togglePause'}, session: 'live'},
			playback('togglePause', {char: ' '}),
		],
		screens: BROWSING,
		help: {keys: 'Space', text: 'pause the view (live) / playback (replay)'},
		hint: {text: ({session}) => (session === 'replay' ? 'Space play/pause' : 'Space pause'), on: ['rows']},
	},
	{
		actions: [
			playback('faster', {char: '+'}, {char: '='}),
			playback('slower', {char: '-'}),
		],
		screens: BROWSING,
		help: {keys: '+ -', text: 'faster / slower'},
		hint: {text: '+/- speed', on: ['rows']},
	},
	{
		actions: [
			playback('stepForward', {char: '.'}),
			playback('stepBack', {char: ','}),
		],
		screens: BROWSING,
		help: {keys: '. ,', text: 'step 1s forward / back'},
		hint: {text: ',/. step', on: ['rows']},
	},
	{
		actions: [
			playback('seekStart', {special: 'home'}),
			playback('seekEnd', {special: 'end'}),
		],
		screens: BROWSING,
		help: {keys: 'Home End', text: 'jump to start / end'},
		hint: {text: 'Home/End', on: ['rows']},
	},
	{actions: [{keys: [{special: 'return'}], command: {type: 'filterCommit'}}], screens: ['filter'], hint: {text: 'Enter keep', on: ['filter']}},
	{actions: [{keys: [{special: 'escape'}], command: {type: 'back'}}], screens: ['filter'], hint: {text: 'Esc clear', on: ['filter']}},
	{actions: [{keys: [{special: 'backspace'}, {special: 'delete'}], command: {type: 'filterErase'}}], screens: ['filter']},
	{actions: [{keys: [{typed: true}], command: text => ({type: 'filterType', text})}], screens: ['filter']},
];

export function sessionOf(replay: boolean): Session {
	return replay ? 'replay' : 'live';
}

export function keyMode(ui: UiState, replay: boolean): KeyMode {
	const screen = ui.editingFilter ? 'filter' : ui.help || ui.insights || ui.detailsId !== null ? 'overlay' : 'rows';
	return {session: sessionOf(replay), screen};
}

export function worksIn(action: KeyAction, session: Session): boolean {
	return action.session === undefined || action.session === session;
}

/** A binding shows in help and the footer only in a session where one of its keys works. */
export function servesSession(binding: KeyBinding, session: Session): boolean {
	return binding.actions.some(action => worksIn(action, session));
}

/** The footer's words for this mode, in table order. */
export function footerHints(mode: KeyMode, ui: UiState, glyphs: Glyphs): string[] {
	const context: HintContext = {ui, glyphs, session: mode.session};
	return KEY_BINDINGS.flatMap(binding => {
		const hint = binding.hint;
		if (!hint?.on.includes(mode.screen) || !servesSession(binding, mode.session)) return [];
		return [typeof hint.text === 'string' ? hint.text : hint.text(context)];
	});
}
