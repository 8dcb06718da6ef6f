import {COMPUTED_KEY, type Location} from '../protocol/events.js';

export interface FunctionMeta {
	name: string;
	loc: Location;
	/** See FunctionSite.secretParams. */
	secretParams?: number[];
	/** See FunctionSite.callsNothing. */
	callsNothing?: true;
	/** See FunctionSite.declaredArgs. */
	declaredArgs?: number;
	/** See FunctionSite.keyed. */
	keyed?: true;
	/** A keyed site's name as the transform gave it, and its key's once evaluated (null: more than one, so none). */
	keyedAs?: {template: string; key: string | null};
}

export interface AwaitMeta {
	loc: Location;
	dependent: boolean;
	/**
	 * It awaits a call's value directly. A promise that call gave and asyncmon does not know is no promise of the
	 * script's own async functions (theirs are known): a library's, or Node's (`once(bus, 'ready')`), whose work
	 * asyncmon did not see start. Optional: cached modules compiled before it was kept lack it.
	 */
	call?: true;
}

/** Where each list of a SiteTable stood: ids handed out after it follow on from these counts. */
export interface SiteMark {
	functions: number;
	awaits: number;
	droppedCalls: number;
}

/** The sites one module added, in order: enough to add them again with the same ids. */
export interface ModuleSites {
	functions: FunctionMeta[];
	awaits: AwaitMeta[];
	droppedCalls: Location[];
}

/** The names and original locations of instrumented functions and awaits, by the ids baked into the code. */
export class SiteTable {
	private readonly functions: FunctionMeta[] = [];
	private readonly awaits: AwaitMeta[] = [];
	private readonly droppedCalls: Location[] = [];

	constructor(
		readonly scriptName: string,
		readonly scriptDirectory: string,
	) {}

	addFunction(meta: FunctionMeta): number {
		return this.functions.push(meta) - 1;
	}

	addAwait(meta: AwaitMeta): number {
		return this.awaits.push(meta) - 1;
	}

	addDroppedCall(loc: Location): number {
		return this.droppedCalls.push(loc) - 1;
	}

	mark(): SiteMark {
		return {functions: this.functions.length, awaits: this.awaits.length, droppedCalls: this.droppedCalls.length};
	}

	since(mark: SiteMark): ModuleSites {
		return {
			functions: this.functions.slice(mark.functions),
			awaits: this.awaits.slice(mark.awaits),
			droppedCalls: this.droppedCalls.slice(mark.droppedCalls),
		};
	}

	/** A cached module's sites, added at the same mark they were first added at, so the ids in its code hold. */
	restore(sites: ModuleSites): void {
		this.functions.push(...sites.functions);
		this.awaits.push(...sites.awaits);
		this.droppedCalls.push(...sites.droppedCalls);
	}

	droppedCallAt(id: number): Location {
		return this.droppedCalls[id]!;
	}

	/**
	 * A keyed site's computed key was evaluated (see FunctionSite.keyed): its name is the key's, as V8 names the
	 * function, `Store.fetchAll`, `Store.[secret]` for `Symbol('secret')`. The same code evaluated again with another
	 * key (a class made in a loop) leaves `<computed>`: one site, no one name. A key of another type is left alone
	 * (converting it would call the script's own toString() a second time).
	 */
	nameByKey(id: number, key: unknown): void {
		const meta = this.functions[id]!;
		const name = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : typeof key === 'symbol' ? `[${key.description ?? ''}]` : undefined;
		if (!meta.keyed || name === undefined || meta.keyedAs?.key === null || meta.keyedAs?.key === name) return;
		const template = meta.keyedAs?.template ?? meta.name;
		meta.keyedAs = {template, key: meta.keyedAs ? null : name};
		meta.name = meta.keyedAs.key === null ? template : template.replace(COMPUTED_KEY, name);
	}

	functionAt(id: number): FunctionMeta {
		return this.functions[id]!;
	}

	awaitAt(id: number): AwaitMeta {
		return this.awaits[id]!;
	}
}
