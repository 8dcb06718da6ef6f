import stringWidth from 'string-width';
import {describe, expect, it, vi} from 'vitest';
import {asciiOnly, counted, fit, truncateApart, truncateLocation, truncateMiddle, truncateUrl, sanitize, sanitizeLines, textWidth, truncate, truncateStart, wrapText} from '../../source/present/text.js';

describe('terminal cells', () => {
	it('measures, cuts and pads by terminal cells', () => {
		expect(textWidth('⏫ 中')).toBe(5);
		expect(truncate('abcdefgh', 5)).toBe('abcd…');
		expect(fit('ab', 4, 'right')).toBe('  ab');
		expect(truncateStart('src/deep/path/file.ts:12', 10)).toBe('…ile.ts:12');
	});
});

describe('emoji and other characters of several code points', () => {
	// What a script logs and names its work with: a rocket, a check, a skin tone, a family, a flag, a keycap, an accent.
	const samples = ['🚀', '✅', '👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣', '⚠️', 'é', 'e\u0301', '中', '▶'];

	it('take the cells Ink measures them at', () => {
		for (const sample of samples) expect(textWidth(`[${sample}]`), sample).toBe(2 + stringWidth(sample));
		expect(textWidth('deploy 🚀 done ✅')).toBe(17);
	});

	// Widths are kept from frame to frame (a bounded number of texts): measured again, and past the bound, they are the same.
	it('take the same cells measured again, however many texts were measured between', () => {
		const texts = Array.from({length: 5000}, (_, index) => `${samples[index % samples.length]} task #${index}`);
		for (const round of [1, 2]) for (const text of texts) expect(textWidth(text), `${round}: ${text}`).toBe(stringWidth(text));
	});

	it('are cut and padded whole: a line is exactly as wide as asked', () => {
		const line = '👨‍👩‍👧 family 🇫🇷 flag 👍🏽 ok';
		for (let width = 1; width <= textWidth(line) + 2; width++) {
			const fitted = fit(line, width);
			expect(stringWidth(fitted), `${width}: ${fitted}`).toBe(width);
			// Never a lone piece of one: each grapheme of the cut is one of the line's.
			const kept = [...new Intl.Segmenter(undefined, {granularity: 'grapheme'}).segment(truncate(line, width))].map(s => s.segment).filter(g => g !== '…');
			for (const grapheme of kept) expect(line).toContain(grapheme);
			expect(stringWidth(truncateStart(line, width))).toBeLessThanOrEqual(width);
		}
		expect(truncate('🚀🚀🚀', 4)).toBe('🚀…');
		expect(truncateStart('ab👨‍👩‍👧', 3)).toBe('…👨‍👩‍👧');
	});

	it('are as many cells of ASCII under --ascii', () => {
		for (const sample of samples) expect(asciiOnly(sample).length, sample).toBe(stringWidth(sample));
		expect(asciiOnly('ok ⚠ 👍🏽 café\r\n')).toBe('ok ! ?? cafe\r\n');
	});
});

describe('sanitizing text from the script', () => {
	it('drops colours and control characters, and widens tabs', () => {
		expect(sanitize('\x1b[31mred\x1b[0m\tx\r')).toBe('red  x');
	});

	it('puts a message of several lines on one, its words kept apart', () => {
		expect(sanitize('Expected values to be equal:\n\n  1 !== 2\n')).toBe('Expected values to be equal: 1 !== 2');
	});

	it('drops whole escape sequences: window titles, links, the clipboard, device controls', () => {
		expect(sanitize('a\x1b]2;title\x07b\x1b]8;;http://x/\x1b\\link\x1b]8;;\x1b\\c\x1b]52;c;eA==\x1b\\d\x1bPq\x1b\\e')).toBe('ablinkcde');
		expect(sanitize('\x1b[2J\x1b[H\x1b[?25lcleared')).toBe('cleared');
	});

	it('drops bare CR, backspace, DEL, C1 controls and what is left of a sequence cut short', () => {
		expect(sanitize('over\rwritten back\bspace del\x7f \x9b31mC1\x9d \x1b]2;no end')).toBe('overwritten backspace del 31mC1 ]2;no end');
	});

	it('drops the bidirectional overrides, embeddings, isolates and marks that reorder a line, and keeps the joiners of emoji', () => {
		expect(sanitize('admin\u202Egnp.exe\u202C ok')).toBe('admingnp.exe ok');
		expect(sanitize('a\u2066b\u2069c\u200Fd\u061Ce')).toBe('abcde');
		expect(sanitizeLines('x\u202Ey\nz')).toBe('xy\nz');
		expect(sanitize('👨‍👩‍👧')).toBe('👨‍👩‍👧');
		expect(textWidth('ab\u202Ecd')).toBe(4);
	});

	it('leaves text without a control character as it is', () => {
		const text = 'café ✓ naïve — 中文';
		expect(sanitize(text)).toBe(text);
		expect(sanitizeLines(text)).toBe(text);
	});

	it('takes linear time on long runs of line breaks', () => {
		const started = performance.now();
		expect(sanitize(`x${'\n'.repeat(200_000)}`)).toBe('x');
		expect(sanitize(`x${' \n'.repeat(200_000)}y`)).toBe('x y');
		expect(performance.now() - started).toBeLessThan(1000);
	});
});

describe('sanitizing lines from the script', () => {
	it('keeps line breaks and tabs, and drops escapes and other controls', () => {
		expect(sanitizeLines('a\r\n\x1b[31mb\x1b[0m\tc\rd\x1b]2;t\x07\n')).toBe('a\nb\tcd\n');
	});
});

describe('measuring text from the script', () => {
	it('measures, cuts and pads what is shown: escapes take no cells', () => {
		expect(textWidth('\x1b[31mred\x1b[0m')).toBe(3);
		expect(fit('\x1b]2;title\x07ab', 4)).toBe('ab  ');
		expect(truncate('\x1b[31m中文字\x1b[0m', 5)).toBe('中文…');
		expect(truncateStart('\x1b[31msrc/file.ts\x1b[0m', 8)).toBe('…file.ts');
		expect(wrapText('one\x1b[31m two\rthree', 20)).toEqual(['one twothree']);
	});
});

describe('counting', () => {
	it('puts the noun in the plural when the count is not one', () => {
		expect([0, 1, 2].map(n => counted(n, 'task'))).toEqual(['0 tasks', '1 task', '2 tasks']);
		expect(counted(2, 'child', 'children')).toBe('2 children');
	});
});

describe('wrapping text', () => {
	it('lays words out in lines no wider than the width', () => {
		const lines = wrapText('crunch() at cpu.ts:12 blocked the event loop for 1.4 s; move CPU-bound work to a worker thread', 24);
		expect(lines.every(line => textWidth(line) <= 24)).toBe(true);
		expect(lines.join(' ')).toBe('crunch() at cpu.ts:12 blocked the event loop for 1.4 s; move CPU-bound work to a worker thread');
	});

	it('cuts a word longer than the width', () => {
		const [line] = wrapText('https://example.com/a/very/long/path', 10);
		expect(textWidth(line!)).toBeLessThanOrEqual(10);
	});
});

describe('ASCII alone, under --ascii', () => {
	it('puts a stand-in in each character beyond ASCII, in as many cells as it took', () => {
		expect(asciiOnly('plain text')).toBe('plain text');
		expect(asciiOnly(truncate('fetchUser("alice")', 10))).toBe('fetchUser~');
		expect(asciiOnly('café naïve · 3×')).toBe('cafe naive . 3x');
		expect(asciiOnly('東京 ✓')).toBe('???? ?');
		expect(asciiOnly('e\u0301')).toBe('e');
		for (const text of ['東京 ✓ …', 'résumé — “done”', '🙂 ok']) expect(textWidth(asciiOnly(text))).toBe(textWidth(text));
	});
});

describe('cutting what tells rows apart', () => {
	it('a name keeps its start and the end of its arguments', () => {
		expect(truncateMiddle('simulateRequest("request-A", 1000)', 40)).toBe('simulateRequest("request-A", 1000)');
		expect(truncateMiddle('simulateRequest("request-A", 1000)', 20)).toBe('simulateRe…A", 1000)');
		expect(truncateMiddle('東京東京東京東京東京', 7)).toBe('東…京');
		expect(textWidth(truncateMiddle('simulateRequest("request-A", 1000)', 9))).toBe(9);
	});

	it("a name keeps what tells it from a sibling's, the same call with other arguments, wherever that is", () => {
		const tick = (n: number) => `tick("tick-${n}", ${n}000, 139.141368)`;
		// What differs is near the start: the shared end goes.
		expect(truncateApart(tick(2), tick(1), 20)).toBe('tick("tick-2", 2…68)');
		expect(truncateApart(tick(3), tick(1), 20)).not.toBe(truncateApart(tick(2), tick(1), 20));
		// Near the end: the shared start goes, the call's close stays.
		expect(truncateApart('simulateRequest("request-A", 1000)', 'simulateRequest("request-B", 2000)', 20)).toBe('simulateRe…A", 1000)');
		// Whole when it fits; in the middle when what differs would not fit, or nothing does.
		expect(truncateApart(tick(2), tick(1), 40)).toBe(tick(2));
		expect(truncateApart(tick(2), tick(2), 20)).toBe(truncateMiddle(tick(2), 20));
		expect(truncateApart('load("a-very-long-distinct-key-one")', 'load("another-very-long-key-two")', 12)).toBe(truncateMiddle('load("a-very-long-distinct-key-one")', 12));
		for (const width of [6, 9, 14, 20, 26]) expect(textWidth(truncateApart(tick(2), tick(1), width))).toBeLessThanOrEqual(width);
	});

	it('a location keeps its file name and line', () => {
		expect(truncateLocation('src/users/get-user.ts:12:7', 30)).toBe('src/users/get-user.ts:12:7');
		expect(truncateLocation('src/users/get-user.ts:12:7', 24)).toBe('src/users/get-user.ts:12');
		expect(truncateLocation('src/handlers/users/get-user.ts:120:17', 20)).toBe('…ers/get-user.ts:120');
	});

	it('a URL keeps its path: the scheme goes first, then the host, the query, and the start of the path', () => {
		const url = 'https://api.example.com/api/users/42?page=2';
		expect(truncateUrl(url, 50)).toBe(url);
		expect(truncateUrl(url, 40)).toBe('api.example.com/api/users/42?page=2');
		expect(truncateUrl(url, 30)).toBe('…/api/users/42?page=2');
		expect(truncateUrl(url, 16)).toBe('/api/users/42?p…');
		expect(truncateUrl(url, 10)).toBe('…/users/42');
	});
});

describe('what the module costs as it loads', () => {
	// Making a segmenter takes 8 ms (ICU's break rules): plain mode, whose lines are never cut, paid it at every start.
	it('makes its grapheme segmenter only when a text that is not ASCII is cut, and once', async () => {
		vi.resetModules();
		const made = vi.spyOn(Intl, 'Segmenter');
		try {
			const text = await import('../../source/present/text.js');
			expect(made).not.toHaveBeenCalled();
			expect(text.truncate('plain ascii text', 8)).toBe('plain a…');
			expect(made).not.toHaveBeenCalled();
			expect(text.truncate('héllo wörld, café', 8)).toBe('héllo w…');
			expect(text.truncate('naïve résumé text', 8)).toBe('naïve r…');
			expect(made).toHaveBeenCalledTimes(1);
		} finally {
			made.mockRestore();
		}
	});
});
