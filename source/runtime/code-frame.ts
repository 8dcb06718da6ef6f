/** The offending line with a caret under the column (1-based), as compilers show it. */
export function codeFrame(lineText: string, column: number, lineNumber?: number): string {
	const gutter = lineNumber === undefined ? '' : `${lineNumber} | `;
	const pad = ' '.repeat(gutter.length) + ' '.repeat(Math.max(0, column - 1));
	return `${gutter}${lineText}\n${pad}^`;
}
