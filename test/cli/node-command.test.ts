import {describe, expect, it} from 'vitest';
import {nodeCommand} from '../../source/cli/node-command.js';
import {UsageError} from '../../source/cli/usage-error.js';

describe('`asyncmon node [node options] script [args…]`: the command a project starts with', () => {
	it('is a script of its own name otherwise', () => {
		expect(nodeCommand('app.ts', ['--port', '3000'])).toBeNull();
		expect(nodeCommand('./node', [])).toBeNull();
	});

	it("takes node's options up to the script, a value apart where the option takes one, and leaves the script's own", () => {
		expect(nodeCommand('node', ['--env-file=.env', '-r', 'dotenv/config', '--import', './otel.mjs', 'app.js', '--port', '3000'])).toEqual({
			script: 'app.js',
			args: ['--port', '3000'],
			nodeOptions: ['--env-file=.env', '-r', 'dotenv/config', '--import', './otel.mjs'],
		});
		expect(nodeCommand('node', ['--enable-source-maps', '--max-old-space-size=4096', '-C', 'development', 'dist/main.js'])).toEqual({
			script: 'dist/main.js',
			args: [],
			nodeOptions: ['--enable-source-maps', '--max-old-space-size=4096', '-C', 'development'],
		});
		// `--` ends node's options, as it does node's: what follows is the script, whatever its name.
		expect(nodeCommand('node', ['--trace-warnings', '--', '-odd.js', 'x'])).toEqual({script: '-odd.js', args: ['x'], nodeOptions: ['--trace-warnings']});
		expect(nodeCommand('node', ['app.js'])).toEqual({script: 'app.js', args: [], nodeOptions: []});
	});

	it('refuses what runs no script file, and a command with no script, each in one line', () => {
		for (const mode of [['-e', '1'], ['--eval=1'], ['-p', '1'], ['--test'], ['--run', 'start'], ['-i'], ['--watch', 'app.js'], ['--version']]) {
			expect(() => nodeCommand('node', mode)).toThrow(new UsageError(`node ${mode[0]!.split('=')[0]} runs no script file, and asyncmon watches one: run it as node [options] script.js [args]`));
		}
		expect(() => nodeCommand('node', ['--env-file'])).toThrow(UsageError);
		expect(() => nodeCommand('node', ['--enable-source-maps'])).toThrow(new UsageError('name the script after node and its options: asyncmon node [options] script.js [args]'));
		expect(() => nodeCommand('node', [])).toThrow(UsageError);
	});
});
