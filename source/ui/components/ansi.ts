import type {Color, Line, Segment} from '../view-model/line.js';

const COLOR_CODES: Readonly<Record<Color, number>> = {
	red: 31,
	green: 32,
	yellow: 33,
	blue: 34,
	magenta: 35,
	cyan: 36,
	gray: 90,
};

/**
 * One line as one ANSI string. A nested <Text> per segment costs Ink a node,
 * a style pass and a layout box each: painting a 10,000-task frame that way
 * blew the 10 ms frame budget, one string per line keeps it.
 * Without colour (NO_COLOR) bold, dim and inverse remain: they carry meaning
 * (the selected row) and are not colour.
 */
export function lineToAnsi(line: Line, color: boolean): string {
	let out = '';
	let runStyle = '';
	let runText = '';
	// Neighbours of one style share one escape: Ink parses every escape of every frame.
	for (const segment of line) {
		const style = sgr(segment, color);
		if (style !== runStyle && runText !== '') {
			out += wrap(runText, runStyle);
			runText = '';
		}
		runStyle = style;
		runText += segment.text;
	}
	return out + wrap(runText, runStyle);
}

function sgr(segment: Segment, color: boolean): string {
	const codes: number[] = [];
	if (segment.bold) codes.push(1);
	if (segment.dim) codes.push(2);
	if (segment.inverse) codes.push(7);
	if (color && segment.color) codes.push(COLOR_CODES[segment.color]);
	return codes.join(';');
}

function wrap(text: string, style: string): string {
	return style === '' || text === '' ? text : `\x1b[${style}m${text}\x1b[0m`;
}
