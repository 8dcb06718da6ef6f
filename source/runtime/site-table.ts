import type {Location} from '../protocol/events.js';

export interface FunctionMeta {
	name: string;
	loc: Location;
}

export interface AwaitMeta {
	loc: Location;
	dependent: boolean;
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

	droppedCallAt(id: number): Location {
		return this.droppedCalls[id]!;
	}

	functionAt(id: number): FunctionMeta {
		return this.functions[id]!;
	}

	awaitAt(id: number): AwaitMeta {
		return this.awaits[id]!;
	}
}
