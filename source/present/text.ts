/**
 * Terminal cell widths. Ink measures with string-width; this covers the
 * characters a frame can hold (CJK, emoji-presentation icons, combining marks)
 * closely enough that padded columns line up.
 */
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
	[0x1100, 0x115f],
	[0x231a, 0x231b],
	[0x23e9, 0x23ec],
	[0x23f0, 0x23f0],
	[0x23f3, 0x23f3],
	[0x25fd, 0x25fe],
	[0x2614, 0x2615],
	[0x2e80, 0x303e],
	[0x3041, 0x33ff],
	[0x3400, 0x4dbf],
	[0x4e00, 0x9fff],
	[0xa000, 0xa4cf],
	[0xac00, 0xd7a3],
	[0xf900, 0xfaff],
	[0xfe30, 0xfe4f],
	[0xff00, 0xff60],
	[0xffe0, 0xffe6],
	[0x1f300, 0x1f64f],
	[0x1f900, 0x1f9ff],
	[0x20000, 0x3fffd],
];

function codePointWidth(code: number): number {
	if (code < 0x20 || (code >= 0x7f && code < 0xa0)) return 0;
	if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
	if (code < 0x1100) return 1;
	for (const [low, high] of WIDE_RANGES) if (code >= low && code <= high) return 2;
	return 1;
}

const isAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

export function textWidth(text: string): number {
	if (isAscii(text)) return text.length;
	let width = 0;
	for (const char of text) width += codePointWidth(char.codePointAt(0)!);
	return width;
}

/** Cuts to at most `width` cells, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	if (isAscii(text)) return text.length <= width ? text : text.slice(0, width - 1) + '…';
	if (textWidth(text) <= width) return text;
	let used = 0;
	let out = '';
	for (const char of text) {
		const w = codePointWidth(char.codePointAt(0)!);
		if (used + w > width - 1) break;
		out += char;
		used += w;
	}
	return out + '…';
}

/** Exactly `width` cells: truncated, then padded. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const cut = truncate(text, width);
	const pad = ' '.repeat(Math.max(0, width - textWidth(cut)));
	return align === 'left' ? cut + pad : pad + cut;
}

/** Keeps the end of a long text (paths, URLs), where the telling part is. */
export function truncateStart(text: string, width: number): string {
	if (textWidth(text) <= width) return text;
	if (width <= 1) return truncate(text, width);
	const chars = [...text];
	let used = 0;
	let start = chars.length;
	while (start > 0) {
		const w = codePointWidth(chars[start - 1]!.codePointAt(0)!);
		if (used + w > width - 1) break;
		used += w;
		start--;
	}
	return '…' + chars.slice(start).join('');
}

/**
 * Text from the script (its output, names, URLs, error messages) may carry
 * colours, cursor moves, tabs and line breaks: none of it may reach the layout.
 * A message's lines become one line, its words kept apart.
 */
export function sanitize(text: string): string {
	return text
		.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
		.replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, '')
		.replace(/(?<=\S)\s*\n\s*(?=\S)/g, ' ')
		.replace(/\t/g, '  ')
		.replace(/[\x00-\x1f\x7f]/g, '');
}

/** Words laid out in lines of at most `width` columns; a word longer than that is cut. */
export function wrapText(text: string, width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(/\s+/).filter(Boolean)) {
		const candidate = line ? `${line} ${word}` : word;
		if (textWidth(candidate) <= width) {
			line = candidate;
			continue;
		}
		if (line) lines.push(line);
		line = textWidth(word) <= width ? word : truncate(word, width);
	}
	if (line) lines.push(line);
	return lines;
}

/** `1 task`, `3 tasks`. */
export function counted(count: number, singular: string, pluralForm = `${singular}s`): string {
	return `${count} ${count === 1 ? singular : pluralForm}`;
}
