import type {OutputLine} from '../../model/state.js';
import {formatClock} from '../../present/durations.js';
import type {Line} from './line.js';
import {sanitize, truncate} from '../../present/text.js';

export interface OutputWindow {
	lines: Line[];
	/** Display lines hidden below the window; 0 when following the tail. */
	below: number;
}

/**
 * The last `height` display lines of the script's output, `scrollBack` lines
 * up from the tail. Each is cleaned and cut to the width, so output can never
 * reflow the frame.
 */
export function outputWindow(output: readonly OutputLine[], height: number, width: number, scrollBack: number): OutputWindow {
	const needed = height + scrollBack;
	const display: Line[] = [];
	for (let i = output.length - 1; i >= 0 && display.length < needed; i--) {
		const entry = output[i]!;
		const texts = entry.text.replace(/\n$/, '').split('\n');
		for (let j = texts.length - 1; j >= 0 && display.length < needed; j--) {
			const stamp = j === 0 ? `${formatClock(entry.t)} ` : ' '.repeat(8);
			const text = truncate(sanitize(texts[j]!), width - stamp.length);
			display.push([{text: stamp, dim: true}, entry.stream === 'stderr' ? {text, color: 'red'} : {text}]);
		}
	}
	display.reverse();
	const below = Math.max(0, Math.min(scrollBack, display.length - height));
	return {lines: display.slice(0, display.length - below).slice(-height), below};
}
