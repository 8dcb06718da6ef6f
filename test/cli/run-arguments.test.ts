import {describe, expect, it} from 'vitest';
import {forYargs, quickRunArguments, splitAtScript, unknownRunOption} from '../../source/cli/run-arguments.js';

const defaults = {plain: false, redact: true, follow: true, exitOnEnd: false, ascii: false, retain: '10000', retainFor: 300, otlpPropagate: false};

describe('reading `asyncmon [run] [options] script [args…]`', () => {
	it('gives everything after the script to the script', () => {
		expect(splitAtScript(['--record', 'x.ndjson', 'app.ts', '--port', '3000'])).toEqual({own: ['--record', 'x.ndjson', 'app.ts'], scriptArgs: ['--port', '3000']});
		expect(splitAtScript(['run', '--plain', 'app.ts', 'a'])).toEqual({own: ['run', '--plain', 'app.ts'], scriptArgs: ['a']});
		expect(splitAtScript(['report', 'a.ndjson', '--format', 'md'])).toEqual({own: ['report', 'a.ndjson', '--format', 'md'], scriptArgs: []});
	});

	it('takes what follows `--` for the script, whatever its name', () => {
		expect(splitAtScript(['--plain', '--', 'app.ts', 'x'])).toEqual({own: ['--plain', '--', 'app.ts'], scriptArgs: ['x']});
		expect(splitAtScript(['--', '-x.ts', '--plain'])).toEqual({own: ['--', '-x.ts'], scriptArgs: ['--plain']});
		expect(quickRunArguments(['--plain', '--', '-x.ts'])).toEqual({args: {...defaults, plain: true}, script: '-x.ts'});
		expect(quickRunArguments(['--', 'run'])).toEqual({args: defaults, script: 'run'});
		expect(quickRunArguments(['--record', '--', '-x.ts'])).toBeNull();
		expect(unknownRunOption(['--plain', '--', '-x.ts'])).toBeUndefined();
		expect(forYargs(['--record=r.ndjson', '--', '-x.ts'])).toEqual(['--record=r.ndjson', './-x.ts']);
		expect(forYargs(['--', '/abs/-x.ts'])).toEqual(['/abs/-x.ts']);
		expect(forYargs(['--plain', 'app.ts'])).toEqual(['--plain', 'app.ts']);
	});

	it('reads the run options with their defaults, without yargs', () => {
		expect(quickRunArguments(['app.ts'])).toEqual({args: defaults, script: 'app.ts'});
		expect(quickRunArguments(['run', '--plain', '--no-redact', '--record', 'r.ndjson', '--block-threshold', '100', '--fail-on-block', '250', 'app.ts'])).toEqual({
			args: {...defaults, plain: true, redact: false, record: 'r.ndjson', blockThreshold: 100, failOnBlock: 250},
			script: 'app.ts',
		});
		expect(quickRunArguments(['--otlp', 'http://127.0.0.1:4318', '--otlp-propagate', 'app.ts'])).toEqual({
			args: {...defaults, otlp: 'http://127.0.0.1:4318', otlpPropagate: true},
			script: 'app.ts',
		});
	});

	it('leaves anything unusual to yargs', () => {
		for (const own of [['--help'], ['--plain'], ['demo'], ['--plian', 'app.ts'], ['--plain', '--plain', 'app.ts'], ['--block-threshold', 'fast', 'app.ts'], ['--record=x', 'app.ts'], ['--no-record', 'x', 'app.ts']]) {
			expect(quickRunArguments(own)).toBeNull();
		}
	});
});

describe('options asyncmon does not know', () => {
	it('are named before yargs could take the script for their value', () => {
		expect(unknownRunOption(['--bogus', 'x.ts'])).toBe('--bogus');
		expect(unknownRunOption(['run', '--plain', '--record=x', 'x.ts'])).toBeUndefined();
		expect(unknownRunOption(['--no-redact', '--help'])).toBeUndefined();
		expect(unknownRunOption(['report', 'a.ndjson', '--format', 'md'])).toBeUndefined();
		expect(unknownRunOption(['--plain', '--record', 'r.ndjson', 'demo', '--slow', '2'])).toBeUndefined();
	});
});
