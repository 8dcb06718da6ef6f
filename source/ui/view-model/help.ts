import {KEY_BINDINGS, servesSession, type Session} from './key-bindings.js';
import type {Line} from './line.js';
import {glyphs, stateIcon} from '../../present/states.js';
import {wrapText} from '../../present/text.js';
import {FINISHED_SHOWN} from './tree-rows.js';

/** Cells between the widest key label and the descriptions. */
const KEY_COLUMN_GAP = 3;

/** The key table, then the legend, wrapped to the width: a pane scrolls to reach what is below. */
export function helpLines(session: Session, ascii: boolean, width: number): Line[] {
	const rows = KEY_BINDINGS.flatMap(binding => {
		const help = binding.help;
		if (!help || !servesSession(binding, session)) return [];
		return [{keys: ascii && help.asciiKeys ? help.asciiKeys : help.keys, text: typeof help.text === 'string' ? help.text : help.text(session)}];
	});
	const keyColumn = Math.max(...rows.map(row => row.keys.length)) + KEY_COLUMN_GAP;
	const keyIndent = ' '.repeat(2 + keyColumn);
	const legend: Array<[string, string]> = [
		// The icons as the rows and the header draw them: a narrow header shows the icons alone.
		[
			'Row states',
			`${stateIcon('running', ascii)} running, ${stateIcon('waiting', ascii)} waiting, ${stateIcon('ready', ascii)} ready (resolved but not yet resumed: the loop is busy), ${stateIcon('finished', ascii)} done, ${stateIcon('failed', ascii)} failed`,
		],
		['Finished rows', `in the start order, a row keeps its latest ${FINISHED_SHOWN} finished ops, and, where the rows would not fit, while it is at work (the script's: while it runs) its latest ${FINISHED_SHOWN} finished tasks; +N in its status column counts the older ones left out (sort by another column, or filter, to list them all)`],
		['Requests received', `${glyphs(ascii).received} GET /path: a request one of the script's servers received, a task; status GONE: its client went away first`],
		['Timeline', 'solid running, light waiting, red ready-but-delayed, blue an HTTP request queued for a connection, red bars where the loop of the row\'s process was blocked'],
		[
			'Concurrency',
			"the time tasks spent running or waiting on something, over the time since the script's first line; time a task sat ready while the loop ran another, or waited on other tasks, does not count",
		],
	];
	return [
		[{text: 'Keys', bold: true}, {text: '  (Esc or ? to close)', dim: true}],
		...rows.flatMap(row =>
			wrapText(row.text, Math.max(10, width - keyIndent.length)).map((part, index): Line => [
				{text: index === 0 ? `  ${row.keys.padEnd(keyColumn)}` : keyIndent, color: 'cyan'},
				{text: part},
			]),
		),
		...legend.flatMap(([title, text]): Line[] => [[], [{text: `${title}:`, bold: true}], ...wrapText(text, Math.max(10, width - 2)).map((part): Line => [{text: `  ${part}`}])]),
	];
}
