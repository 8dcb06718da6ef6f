import type {ReplayAction} from '../replay-controls.js';
import {SORT_COLUMNS, type RowQuery, type TreeRows} from './tree-rows.js';

export type MainView = 'table' | 'timeline';
export type Pane = 'main' | 'output';

/** Everything the user has set by keys; the model itself lives elsewhere. */
export interface UiState {
	view: MainView;
	detailsId: number | null;
	help: boolean;
	/** The insights pane: what asyncmon suggests changing. */
	insights: boolean;
	showOutput: boolean;
	focus: Pane;
	query: RowQuery;
	editingFilter: boolean;
	/** The selected row is followed by id, so live re-sorting keeps it selected. */
	selectedId: number | null;
	cursor: number;
	scrollTop: number;
	/** How far help, insights or details (one is open at a time) are scrolled down. */
	overlayScroll: number;
	/** Output lines up from the tail; 0 follows new output. */
	outputScroll: number;
	/** Set while the view is paused: the clock it stopped at. */
	frozenNowMs: number | null;
	interruptSent: boolean;
}

export const INITIAL_UI: UiState = {
	view: 'table',
	detailsId: null,
	help: false,
	insights: false,
	showOutput: false,
	focus: 'main',
	query: {sort: 'start', inverted: false, filter: '', hideFinished: false},
	editingFilter: false,
	selectedId: null,
	cursor: 0,
	scrollTop: 0,
	overlayScroll: 0,
	outputScroll: 0,
	frozenNowMs: null,
	interruptSent: false,
};

export type Command =
	| {type: 'quit'}
	| {type: 'move'; delta: number}
	| {type: 'page'; direction: 1 | -1}
	| {type: 'jump'; to: 'first' | 'last'}
	| {type: 'openDetails'}
	| {type: 'back'}
	| {type: 'startFilter'}
	| {type: 'filterType'; text: string}
	| {type: 'filterErase'}
	| {type: 'filterCommit'}
	| {type: 'sort'; step: 1 | -1}
	| {type: 'invertSort'}
	| {type: 'togglePause'}
	| {type: 'toggleTimeline'}
	| {type: 'toggleOutput'}
	| {type: 'switchPane'}
	| {type: 'toggleFinished'}
	| {type: 'toggleHelp'}
	| {type: 'toggleInsights'}
	| {type: 'interruptSent'}
	| {type: 'replay'; action: ReplayAction};

/** What the reducer needs to know about the current frame to act on it. */
export interface Viewport {
	nowMs: number;
	rows: TreeRows;
	pageSize: number;
	/** How far the focused scrolling pane (help, insights, details or output) can scroll. */
	maxScroll: number;
}

/** First `q` asks the script to stop; the next one, or any once nothing runs, leaves. */
export function quitOutcome(ui: UiState, scriptRunning: boolean): 'interrupt' | 'quit' {
	return scriptRunning && !ui.interruptSent ? 'interrupt' : 'quit';
}

export function selectedIndex(ui: UiState, rows: TreeRows): number {
	if (rows.length === 0) return -1;
	if (ui.selectedId !== null) {
		const index = rows.indexOf(ui.selectedId);
		if (index >= 0) return index;
	}
	return clamp(ui.cursor, 0, rows.length - 1);
}

/** The first visible row, moved as little as possible to keep the cursor in view. */
export function keepInView(scrollTop: number, cursor: number, pageSize: number, total: number): number {
	const size = Math.max(1, pageSize);
	let top = clamp(scrollTop, 0, Math.max(0, total - size));
	if (cursor < top) top = cursor;
	if (cursor >= top + size) top = cursor - size + 1;
	return Math.max(0, top);
}

export function reduceUi(ui: UiState, command: Command, viewport: Viewport): UiState {
	switch (command.type) {
		case 'move':
			return move(ui, command.delta, viewport);
		case 'page':
			return move(ui, command.direction * Math.max(1, viewport.pageSize - 1), viewport);
		case 'jump':
			return move(ui, command.to === 'first' ? -Infinity : Infinity, viewport);
		case 'openDetails': {
			if (ui.help || ui.insights || ui.detailsId !== null) return ui;
			const row = viewport.rows.at(selectedIndex(ui, viewport.rows));
			return row ? {...ui, detailsId: row.id, overlayScroll: 0, focus: 'main'} : ui;
		}
		case 'back':
			if (ui.help) return {...ui, help: false};
			if (ui.insights) return {...ui, insights: false};
			if (ui.detailsId !== null) return {...ui, detailsId: null};
			if (ui.query.filter !== '' || ui.editingFilter) return withQuery({...ui, editingFilter: false}, {filter: ''});
			if (ui.focus === 'output') return {...ui, focus: 'main'};
			return ui;
		case 'startFilter':
			return {...ui, editingFilter: true, help: false, detailsId: null};
		case 'filterType':
			return withQuery(ui, {filter: ui.query.filter + command.text});
		case 'filterErase':
			return withQuery(ui, {filter: [...ui.query.filter].slice(0, -1).join('')});
		case 'filterCommit':
			return {...ui, editingFilter: false};
		case 'sort': {
			const index = SORT_COLUMNS.indexOf(ui.query.sort);
			const next = SORT_COLUMNS[(index + command.step + SORT_COLUMNS.length) % SORT_COLUMNS.length]!;
			return withQuery(ui, {sort: next, inverted: false});
		}
		case 'invertSort':
			return withQuery(ui, {inverted: !ui.query.inverted});
		case 'togglePause':
			return {...ui, frozenNowMs: ui.frozenNowMs === null ? viewport.nowMs : null};
		case 'toggleTimeline':
			return {...ui, view: ui.view === 'table' ? 'timeline' : 'table', detailsId: null, help: false};
		case 'toggleOutput':
			return {...ui, showOutput: !ui.showOutput, focus: ui.showOutput ? 'main' : ui.focus, outputScroll: 0};
		case 'switchPane':
			if (!ui.showOutput) return {...ui, showOutput: true, focus: 'output'};
			return {...ui, focus: ui.focus === 'main' ? 'output' : 'main'};
		case 'toggleFinished':
			return withQuery(ui, {hideFinished: !ui.query.hideFinished});
		case 'toggleHelp':
			return {...ui, help: !ui.help, overlayScroll: 0};
		case 'toggleInsights':
			return {...ui, insights: !ui.insights, help: false, detailsId: null, overlayScroll: 0};
		case 'interruptSent':
			return {...ui, interruptSent: true};
		case 'quit':
		case 'replay':
			// Effects outside the view, carried out by the dashboard.
			return ui;
	}
}

function withQuery(ui: UiState, change: Partial<UiState['query']>): UiState {
	return {...ui, query: {...ui.query, ...change}};
}

/** Arrows and paging move whatever has focus: help, insights and details scroll, the output pane scrolls back, the table moves its cursor. */
function move(ui: UiState, delta: number, viewport: Viewport): UiState {
	const {rows, pageSize, maxScroll} = viewport;
	if (ui.help || ui.insights || ui.detailsId !== null) return {...ui, overlayScroll: clamp(ui.overlayScroll + delta, 0, maxScroll)};
	if (ui.focus === 'output') return {...ui, outputScroll: clamp(ui.outputScroll - delta, 0, maxScroll)};
	if (rows.length === 0) return ui;
	const cursor = clamp(selectedIndex(ui, rows) + delta, 0, rows.length - 1);
	return {...ui, cursor, selectedId: rows.at(cursor)!.id, scrollTop: keepInView(ui.scrollTop, cursor, pageSize, rows.length)};
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(Math.max(value, min), max);
}
