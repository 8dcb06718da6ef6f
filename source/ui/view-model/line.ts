import type {Segment} from '../../present/paint.js';

/** A frame is a list of lines, each a run of styled segments: components only paint them. */
export type Line = Segment[];

export function highlighted(line: Line): Line {
	return line.map(segment => ({...segment, inverse: true}));
}
