import {Box, Text} from 'ink';
import type {Line} from '../view-model/line.js';
import {paint} from '../../present/paint.js';

export interface LinesViewProps {
	lines: readonly Line[];
	width: number;
	color: boolean;
}

/** Paints a prepared frame, one Text per line. The dashboard runs on a terminal: without colour (NO_COLOR) the attributes stay. */
export function LinesView({lines, width, color}: LinesViewProps) {
	return (
		<Box flexDirection="column" width={width}>
			{lines.map((line, index) => (
				<Text key={index} wrap="truncate-end">
					{line.length === 0 ? ' ' : paint(line, color ? 'color' : 'attributes')}
				</Text>
			))}
		</Box>
	);
}
