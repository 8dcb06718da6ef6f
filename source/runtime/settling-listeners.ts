import {type AnyNode, isFunction, readsAny, someChild} from './ast.js';

/** An emitter's methods that add a listener. */
const LISTENER_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

/**
 * In `new Promise((resolve, reject) => …)`, the function literals the executor gives an emitter as listeners that
 * read resolve or reject (`bus.once('done', () => resolve())`, `stream.on('end', () => resolve(chunks))`): the
 * promise waits on their events, which the runtime hears of as they are added (see Tracker.settling). A listener
 * that is resolve itself is told without them (event-waits.ts). Names are matched as written: a listener that
 * declares a `resolve` of its own is taken for one too.
 */
export function settlingListeners(newPromise: AnyNode): AnyNode[] {
	const executor = newPromise.arguments[0];
	if (!executor || (executor.type !== 'ArrowFunctionExpression' && executor.type !== 'FunctionExpression')) return [];
	const settlers = new Set<string>();
	for (const param of executor.params.slice(0, 2)) if (param.type === 'Identifier') settlers.add(param.name);
	if (settlers.size === 0) return [];
	const listeners: AnyNode[] = [];
	const visit = (node: AnyNode): void => {
		if (node.type === 'CallExpression' && addsListener(node.callee)) {
			for (const argument of node.arguments.slice(1)) if (isFunction(argument) && readsAny(argument.body, settlers)) listeners.push(argument);
		}
		someChild(node, visit);
	};
	visit(executor.body);
	return listeners;
}

function addsListener(callee: AnyNode): boolean {
	return callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && LISTENER_METHODS.has(callee.property.name);
}
