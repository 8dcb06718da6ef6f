import type {ModelState} from '../../model/state.js';
import {formatClock} from '../../present/durations.js';
import type {Line} from './line.js';
import {counted, sanitize, truncate} from '../../present/text.js';

export interface OutputWindow {
	lines: Line[];
	/** Display lines hidden below the window; 0 when following the tail. */
	below: number;
}

/** What stands where the dropped lines were: the ring keeps the latest, a recording all of them. */
export function droppedOutputText(dropped: number): string {
	return `${counted(dropped, 'earlier line')} dropped from view here; a recording (--record) keeps every line`;
}

/** How many display lines the output holds: a line each, and the mark of the dropped ones. */
export function outputLineCount(state: Pick<ModelState, 'output' | 'outputDropped'>): number {
	return state.output.length + (state.outputDropped > 0 ? 1 : 0);
}

/**
 * The last `height` lines of the script's output, `scrollBack` lines up from
 * the tail. Each is cleaned and cut to the width, so output can never reflow
 * the frame.
 */
export function outputWindow(state: Pick<ModelState, 'output' | 'outputDropped'>, height: number, width: number, scrollBack: number): OutputWindow {
	const {output} = state;
	const total = outputLineCount(state);
	const below = Math.max(0, Math.min(scrollBack, total - height));
	const end = total - below;
	const start = Math.max(0, end - height);
	const lines: Line[] = [];
	for (let index = start; index < end; index++) {
		// Index 0 is the mark of the dropped lines, when there are any.
		const entry = state.outputDropped > 0 ? output[index - 1] : output[index];
		if (!entry) {
			lines.push([{text: truncate(droppedOutputText(state.outputDropped), width), color: 'yellow'}]);
			continue;
		}
		const stamp = `${formatClock(entry.t)} `;
		const text = truncate(sanitize(entry.text), width - stamp.length);
		lines.push([{text: stamp, dim: true}, entry.stream === 'stderr' ? {text, color: 'red'} : {text}]);
	}
	return {lines, below};
}

/** How many lines of the script's output go to the normal screen when the dashboard closes. */
export const SCROLLBACK_LINES = 1000;

/**
 * The script's output once the dashboard has closed, for the normal screen,
 * where it stays in the terminal's scrollback as under node: its last
 * SCROLLBACK_LINES lines as the script wrote them, after a line saying how
 * many earlier ones are not repeated and where they are.
 */
export function outputAfterDashboard(state: Pick<ModelState, 'output' | 'outputDropped'>): string {
	const shown = state.output.slice(-SCROLLBACK_LINES);
	const left = state.outputDropped + state.output.length - shown.length;
	const text = shown.map(line => line.text).join('');
	const note = left > 0 ? `asyncmon: the script's output, less its first ${counted(left, 'line')} (a recording, --record, keeps every line):\n` : '';
	return note + text + (text === '' || text.endsWith('\n') ? '' : '\n');
}
