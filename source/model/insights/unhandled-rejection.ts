import type {ModelState} from '../state.js';
import {lineLocation} from './format.js';
import type {Insight} from './insight.js';

export function unhandledRejection(state: ModelState): Insight[] {
	return state.uncaught
		.filter(uncaught => uncaught.origin === 'unhandledRejection')
		.map(({error, taskId}) => {
			const task = taskId === null ? undefined : state.nodes.get(taskId);
			const where = error.location ? ` (${lineLocation(error.location)})` : '';
			return {
				kind: 'unhandled-rejection',
				message:
					`A promise rejected with nothing handling it${task ? ` in ${task.name}` : ''}: ${error.name}: ${error.message}${where}; ` +
					'await it or add .catch() where it is created',
				taskIds: task ? [task.id] : [],
			};
		});
}
