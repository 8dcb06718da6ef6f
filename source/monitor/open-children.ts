import type {ProtocolLine} from '../protocol/events.js';
import {alive} from './alive.js';

/**
 * The child processes the script started and did not follow (`child` ops) whose end it has not told, by op id,
 * with their pids. The script tells a child's end as it sees it exit; one that died first (a Ctrl-C reaches the
 * whole process group) tells none: as the session ends, those no longer running are gone, their exit not told.
 */
export class OpenChildren {
	private readonly pids = new Map<number, number>();

	see(line: ProtocolLine): void {
		if (line.type === 'op.start' && line.kind === 'child' && line.process?.pid !== undefined) this.pids.set(line.id, line.process.pid);
		else if (line.type === 'op.end') this.pids.delete(line.id);
	}

	/** The ops of those no longer running: a child still running (detached, say) runs on, as under node. */
	gone(): number[] {
		return [...this.pids].filter(([, pid]) => !alive(pid)).map(([id]) => id);
	}
}
