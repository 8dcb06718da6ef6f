import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {delimiter, join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {nodeScriptOnPath} from '../../source/protocol/command-on-path.js';
import {tempDir} from '../helpers/temp.js';

describe('a command named on the PATH', () => {
	it("is the file of a Node script the PATH leads to first (a bin's link followed), not another program's, nor a path", () => {
		const bin = tempDir();
		const later = tempDir();
		const lib = join(tempDir(), 'lib');
		mkdirSync(lib);
		writeFileSync(join(lib, 'cli.js'), "console.log('x')\n");
		symlinkSync(join(lib, 'cli.js'), join(bin, 'tool'));
		writeFileSync(join(bin, 'envnode'), '#!/usr/bin/env node\nconsole.log(1)\n', {mode: 0o755});
		writeFileSync(join(bin, 'shelly'), '#!/bin/sh\necho 1\n', {mode: 0o755});
		writeFileSync(join(later, 'shelly'), '#!/usr/bin/env node\n', {mode: 0o755});
		const path = [bin, later].join(delimiter);
		expect(nodeScriptOnPath('tool', path)).toBe(join(lib, 'cli.js'));
		expect(nodeScriptOnPath('envnode', path)).toBe(join(bin, 'envnode'));
		// The first on the PATH is what a shell runs: a shell script there, whatever comes after it.
		expect(nodeScriptOnPath('shelly', path)).toBeNull();
		expect(nodeScriptOnPath('missing', path)).toBeNull();
		expect(nodeScriptOnPath('./envnode', path)).toBeNull();
	});
});
