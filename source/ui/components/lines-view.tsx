import {Box, Text} from 'ink';
import type {Line} from '../view-model/line.js';
import {paint} from '../../present/paint.js';

export interface LinesViewProps {
	lines: readonly Line[];
	width: number;
	color: boolean;
}

/**
 * Paints a prepared frame as one Text of its lines: each is cut to the width already (see clip in screen.ts),
 * so none wraps, and Ink lays out one node instead of one per line (a Text per line: 40 measured and placed
 * each frame). The dashboard runs on a terminal: without colour (NO_COLOR) the attributes stay.
 */
export function LinesView({lines, width, color}: LinesViewProps) {
	const ansi = color ? 'color' : 'attributes';
	return (
		<Box flexDirection="column" width={width}>
			<Text>{lines.map(line => (line.length === 0 ? ' ' : paint(line, ansi))).join('\n')}</Text>
		</Box>
	);
}
