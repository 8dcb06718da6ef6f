import {describe, expect, it} from 'vitest';
import {scriptStatus} from '../../../source/ui/view-model/header.js';
import {event, reduce} from '../../helpers/events.js';

describe("the dashboard header's script status", () => {
	it('says who killed the script: asyncmon after a stop signal, for a stuck script, or the signal alone', () => {
		const exited = (exit: Record<string, unknown>) => scriptStatus(reduce([event('exit', {t: 5, code: null, signal: 'SIGKILL', ...exit})])).text;
		expect(exited({forced: {after: 'SIGTERM', because: 'again'}})).toBe('killed by SIGKILL (by asyncmon after SIGTERM)');
		expect(exited({stoppedFor: 'SIGINT'})).toBe('killed by SIGINT (stuck: SIGKILL)');
		expect(exited({})).toBe('killed by SIGKILL');
	});
});
