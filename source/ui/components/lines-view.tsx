import {Box, Text} from 'ink';
import type {Line} from '../view-model/line.js';
import {lineToAnsi} from './ansi.js';

export interface LinesViewProps {
	lines: readonly Line[];
	width: number;
	color: boolean;
}

/** Paints a prepared frame, one Text per line. */
export function LinesView({lines, width, color}: LinesViewProps) {
	return (
		<Box flexDirection="column" width={width}>
			{lines.map((line, index) => (
				<Text key={index} wrap="truncate-end">
					{line.length === 0 ? ' ' : lineToAnsi(line, color)}
				</Text>
			))}
		</Box>
	);
}
