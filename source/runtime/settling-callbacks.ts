import {type AnyNode, isFunction, readsAny, someChild} from './ast.js';

/**
 * The calls whose callback becomes an emitter's listener: the emitter's own, and a server's `listen`, which Node makes a
 * 'listening' listener. Not any call: `http.get(url, res => resolve(res))` makes its callback a listener of the request
 * it is starting, whose op (started in the executor) is what the promise waits on.
 */
const TAKES_LISTENERS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'listen']);

/**
 * In `new Promise((resolve, reject) => …)`, the function literals the executor passes to a call of TAKES_LISTENERS
 * that read resolve or reject (`bus.once('done', () => resolve())`, `stream.on('end', () => resolve(chunks))`,
 * `server.listen(0, () => resolve(server))`): as they become an emitter's listeners they tell the promise's event
 * (see Tracker.settling, event-waits.ts). A listener that is resolve itself is told without them. Names are matched
 * as written: a callback that declares a `resolve` of its own is taken for one too.
 */
export function settlingCallbacks(newPromise: AnyNode): AnyNode[] {
	const executor = newPromise.arguments[0];
	if (!executor || (executor.type !== 'ArrowFunctionExpression' && executor.type !== 'FunctionExpression')) return [];
	const settlers = new Set<string>();
	for (const param of executor.params.slice(0, 2)) if (param.type === 'Identifier') settlers.add(param.name);
	if (settlers.size === 0) return [];
	const callbacks: AnyNode[] = [];
	const visit = (node: AnyNode): void => {
		if (node.type === 'CallExpression' && takesListeners(node.callee)) {
			for (const argument of node.arguments) if (isFunction(argument) && readsAny(argument.body, settlers)) callbacks.push(argument);
		}
		someChild(node, visit);
	};
	visit(executor.body);
	return callbacks;
}

function takesListeners(callee: AnyNode): boolean {
	return callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && TAKES_LISTENERS.has(callee.property.name);
}
