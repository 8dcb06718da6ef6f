import type {ModelState} from '../state.js';
import type {UnhandledRejectionInsight} from './insight.js';

export function unhandledRejection(state: ModelState): UnhandledRejectionInsight[] {
	return state.uncaught
		.filter(uncaught => uncaught.origin === 'unhandledRejection')
		.map(({error, taskId, handled, count}) => {
			const task = taskId === null ? undefined : state.nodes.get(taskId);
			return {kind: 'unhandled-rejection', error, taskName: task?.name ?? null, taskIds: task ? [task.id] : [], ...(handled && {handled}), ...(count !== undefined && count > 1 && {count})};
		});
}
