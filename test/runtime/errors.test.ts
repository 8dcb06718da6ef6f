import {describe, expect, it} from 'vitest';
import {firstUserFrame} from '../../source/runtime/errors.js';

describe("an error's location", () => {
	it("is the first frame in the user's own files, relative to the working directory", () => {
		const stack = [
			'Error: boom',
			'    at Object.getPackageJSONURL (node:internal/modules/package_json_reader:331:9)',
			'    at helper (/app/node_modules/lib/index.js:3:1)',
			'    at inner (/opt/asyncmon/dist/preload.js:10:2)',
			'    at load (file:///app/src/load.ts:12:5)',
		].join('\n');
		expect(firstUserFrame(stack, '/app', '/opt/asyncmon/dist')).toBe('src/load.ts:12:5');
	});

	it('is unknown when no frame is the user\'s', () => {
		expect(firstUserFrame('Error: x\n    at Object.run (node:internal/modules/run_main:1:1)', '/app', '/opt/asyncmon/dist')).toBeUndefined();
	});
});
