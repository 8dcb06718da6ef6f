import {describe, expect, it} from 'vitest';
import {REDACTED} from '../../source/protocol/redaction.js';
import {recordedText, recordedUrl, setRedaction} from '../../source/runtime/redact.js';

describe('the run\'s redact option', () => {
	it('redacts recorded strings and URLs unless turned off', () => {
		const url = 'http://u:p@h/?token=t';
		try {
			expect(recordedUrl(url)).toBe(`http://${REDACTED}:${REDACTED}@h/?token=${REDACTED}`);
			expect(recordedText(`failed: ${url}`)).toBe(`failed: http://${REDACTED}:${REDACTED}@h/?token=${REDACTED}`);
			setRedaction(false);
			expect(recordedUrl(url)).toBe(url);
			expect(recordedText(`failed: ${url}`)).toBe(`failed: ${url}`);
		} finally {
			setRedaction(true);
		}
	});
});
