// The allowed imports between asyncmon's parts (docs/architecture.md draws them). Checked by `npm test`
// (test/architecture/imports.test.ts); `npx depcruise source cli.tsx` prints the same verdict.
/** A part may import itself, the listed parts, Node's built-ins and packages: nothing else in source/. */
const only = (part, allowed) => ({
	name: `${part}-imports-${allowed.length ? allowed.join('-') : 'nothing'}`,
	comment: `${part}/ may import ${allowed.length ? allowed.map(other => `${other}/`).join(', ') : 'no other part'} and nothing else of asyncmon's`,
	severity: 'error',
	from: {path: `^source/${part}/`},
	to: {path: '^source/', pathNot: `^source/(${[part, ...allowed].join('|')})/`},
});

module.exports = {
	forbidden: [
		only('protocol', []),
		only('runtime', ['protocol']),
		only('model', ['protocol']),
		only('present', ['model', 'protocol']),
		only('ui', ['present', 'model', 'protocol']),
		only('plain', ['present', 'model', 'protocol']),
		only('sessions', ['present', 'model', 'protocol']),
		only('monitor', ['protocol']),
		only('otlp', ['protocol']),
		only('demo', []),
		{
			name: 'only-cli-composes',
			comment: 'source/cli/ is the one composition root: only the thin cli.tsx imports it',
			severity: 'error',
			from: {pathNot: '^(source/cli/|cli\\.tsx$)'},
			to: {path: '^source/cli/'},
		},
		{
			name: 'thin-entry',
			comment: 'cli.tsx is a yargs table over source/cli/, nothing else of asyncmon',
			severity: 'error',
			from: {path: '^cli\\.tsx$'},
			to: {path: '^source/', pathNot: '^source/cli/'},
		},
		{
			name: 'no-circular',
			comment: 'modules that import each other cannot be read, tested or loaded one at a time',
			severity: 'error',
			from: {path: '^source/'},
			to: {circular: true},
		},
	],
	options: {
		doNotFollow: {path: 'node_modules'},
		tsPreCompilationDeps: true,
		tsConfig: {fileName: 'tsconfig.json'},
	},
};
