import type {Line} from './line.js';

const KEYS: ReadonlyArray<readonly [string, string]> = [
	['q, Ctrl-C', 'interrupt the script; again (or once it ended) to quit'],
	['j k, ↑ ↓', 'move'],
	['g G', 'first / last row'],
	['PgUp PgDn', 'page'],
	['Enter', 'details of the selected row'],
	['Esc', 'back, or clear the filter'],
	['/', 'filter by name, location or URL'],
	['s > <, → ←', 'sort by the next / previous column'],
	['i', 'invert the sort order'],
	['c', 'hide / show finished rows'],
	['t', 'table / timeline view'],
	['o', 'show / hide the output pane'],
	['n', 'insights: what to change, in plain words'],
	['Tab', 'switch between the main and output panes'],
	['Space', 'pause the view (live) / playback (replay)'],
	['?', 'this help'],
];

const REPLAY_KEYS: ReadonlyArray<readonly [string, string]> = [
	['+ -', 'faster / slower'],
	['. ,', 'step 1s forward / back'],
	['Home End', 'jump to start / end'],
];

export function helpLines(replay: boolean): Line[] {
	const rows = replay ? [...KEYS, ...REPLAY_KEYS] : KEYS;
	return [
		[{text: 'Keys', bold: true}, {text: '  (Esc or ? to close)', dim: true}],
		...rows.map(([keys, action]) => [{text: `  ${keys.padEnd(13)}`, color: 'cyan' as const}, {text: action}]),
		[],
		[{text: 'Row states: ', bold: true}, {text: 'running, waiting, ready (resolved but not yet resumed: the loop is busy), done, failed'}],
		[{text: 'Timeline: ', bold: true}, {text: 'solid running, light waiting, red ready-but-delayed, red bars where the loop was blocked'}],
	];
}
