/** A frame is a list of lines, each a run of styled segments: components only paint them. */
export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta' | 'gray';

export interface Segment {
	text: string;
	color?: Color;
	bold?: boolean;
	dim?: boolean;
	inverse?: boolean;
}

export type Line = Segment[];

export function highlighted(line: Line): Line {
	return line.map(segment => ({...segment, inverse: true}));
}
