import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {compileWithTypeScript, SyntaxForEsbuild, typeScriptFor, wantsDecoratorMetadata} from '../../source/runtime/decorator-metadata.js';

const NEST = '{\n  // comments, as tsconfigs have them\n  "compilerOptions": {"experimentalDecorators": true, "emitDecoratorMetadata": true, "target": "ES2017"}\n}';
/** A file in this repository, whose node_modules hold TypeScript (a devDependency). */
const FILE = join(import.meta.dirname, 'service.ts');

describe('decorator metadata', () => {
	it('is wanted where the tsconfig asks for it with legacy decorators', () => {
		expect(wantsDecoratorMetadata(NEST)).toBe(true);
		expect(wantsDecoratorMetadata('{"compilerOptions": {"experimentalDecorators": true}}')).toBe(false);
		expect(wantsDecoratorMetadata('{"compilerOptions": {"emitDecoratorMetadata": true}}')).toBe(false);
	});

	it("is emitted by the project's TypeScript, async functions kept as they are, for this Node", () => {
		const source = 'declare const Injectable: () => ClassDecorator;\nclass Repo {}\n@Injectable()\nclass Service {\n  constructor(private readonly repo: Repo) {}\n  async find(id: number) { return id; }\n}\n';
		const compiled = compileWithTypeScript(source, FILE, NEST, undefined)!;
		expect(compiled.code).toContain('__metadata("design:paramtypes", [Repo])');
		// ES2017 in the tsconfig: still an async method, not a generator (asyncmon's tasks are async functions).
		expect(compiled.code).toContain('async find(id)');
		expect(compiled.code).not.toContain('sourceMappingURL');
		expect(JSON.parse(compiled.map!)).toMatchObject({version: 3});
		expect(compileWithTypeScript(`export ${source}`, FILE, NEST, 'cjs')!.code).toContain('exports.');
	});

	// NestJS 11's starter writes NodeNext; TypeScript answers a module we set with an options error of its own
	// (TS5110), which was taken for a syntax error: the file went to esbuild, and no metadata came out.
	it.each([
		['NodeNext', '"module": "NodeNext", "moduleResolution": "NodeNext"'],
		['node16', '"module": "node16", "moduleResolution": "node16"'],
		['allowImportingTsExtensions', '"module": "ESNext", "moduleResolution": "Bundler", "allowImportingTsExtensions": true'],
	])('is emitted whatever module options the tsconfig has (%s), for ES modules and CommonJS alike', (_, moduleOptions) => {
		const tsconfig = `{"compilerOptions": {${moduleOptions}, "experimentalDecorators": true, "emitDecoratorMetadata": true, "target": "ES2022"}}`;
		const source = 'declare const Injectable: () => ClassDecorator;\nexport class Repo {}\n@Injectable()\nexport class Service {\n  constructor(private readonly repo: Repo, public n: number) {}\n}\n';
		expect(compileWithTypeScript(source, FILE, tsconfig, undefined).code).toContain('__metadata("design:paramtypes", [Repo, Number])');
		expect(compileWithTypeScript(source, FILE, tsconfig, 'cjs').code).toContain('__metadata("design:paramtypes", [Repo, Number])');
	});

	it("leaves a syntax error to esbuild; compiles with asyncmon's own TypeScript where the project has none", () => {
		expect(() => compileWithTypeScript('class {', FILE, NEST, undefined)).toThrow(SyntaxForEsbuild);
		const outside = join(tmpdir(), 'no-project', 'app.ts');
		expect(compileWithTypeScript('declare const D: () => ClassDecorator;\nclass A {}\n@D() class B { constructor(a: A) {} }', outside, NEST, undefined).code).toContain('__metadata("design:paramtypes", [A])');
		expect(typeScriptFor(outside)).toBe('none');
		expect(typeScriptFor(FILE)).toMatch(/typescript\/package\.json \d+\.\d+/);
	});
});
