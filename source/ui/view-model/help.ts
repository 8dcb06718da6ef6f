import {KEY_BINDINGS, servesSession, type Session} from './key-bindings.js';
import type {Line} from './line.js';
import {glyphs} from '../../present/states.js';

/** Cells between the widest key label and the descriptions. */
const KEY_COLUMN_GAP = 3;

export function helpLines(session: Session, ascii: boolean): Line[] {
	const rows = KEY_BINDINGS.flatMap(binding => {
		const help = binding.help;
		if (!help || !servesSession(binding, session)) return [];
		return [{keys: ascii && help.asciiKeys ? help.asciiKeys : help.keys, text: help.text}];
	});
	const keyColumn = Math.max(...rows.map(row => row.keys.length)) + KEY_COLUMN_GAP;
	return [
		[{text: 'Keys', bold: true}, {text: '  (Esc or ? to close)', dim: true}],
		...rows.map(row => [{text: `  ${row.keys.padEnd(keyColumn)}`, color: 'cyan' as const}, {text: row.text}]),
		[],
		[{text: 'Row states: ', bold: true}, {text: 'running, waiting, ready (resolved but not yet resumed: the loop is busy), done, failed'}],
		[{text: 'Requests received: ', bold: true}, {text: `${glyphs(ascii).received} GET /path: a request one of the script's servers received, a task; status GONE: its client went away first`}],
		[{text: 'Timeline: ', bold: true}, {text: 'solid running, light waiting, red ready-but-delayed, red bars where the loop was blocked'}],
		[
			{text: 'Concurrency: ', bold: true},
			{text: "the time tasks spent running or waiting on something, over the time since the script's first line; time a task sat ready while the loop ran another does not count"},
		],
	];
}
