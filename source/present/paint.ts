/** Colours by name: what a line means, not which escape draws it. */
export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta' | 'gray';

/** A run of text in one style. */
export interface Segment {
	text: string;
	color?: Color;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
}

/**
 * What escapes a terminal gets: colours and attributes; attributes alone, as
 * under NO_COLOR, where bold, dim and inverse still carry meaning (the
 * selected row) and are not colour; or none at all, for a pipe or a file.
 */
export type Ansi = 'color' | 'attributes' | 'none';

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
 * Styled segments as one ANSI string: plain mode's lines, and each line of a
 * dashboard frame. A nested <Text> per segment costs Ink a node, a style pass
 * and a layout box each: painting a 10,000-task frame that way blew the 10 ms
 * frame budget, one string per line keeps it.
 */
export function paint(segments: readonly Segment[], ansi: Ansi): string {
	if (ansi === 'none') return segments.map(segment => segment.text).join('');
	let out = '';
	let runStyle = '';
	let runText = '';
	// Neighbours of one style share one escape: Ink parses every escape of every frame.
	for (const segment of segments) {
		const style = sgr(segment, ansi === 'color');
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
