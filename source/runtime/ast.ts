import type {Node} from 'acorn';

/** A node of acorn's tree, its fields read by name. */
export type AnyNode = Node & Record<string, any>;

/** Per node type, the keys that may hold child nodes: a node's primitive fields (its name, operator, flags) are left out. */
const childKeysByType = new Map<string, string[]>();

function childKeys(node: AnyNode): string[] {
	let keys = childKeysByType.get(node.type);
	if (!keys) {
		keys = Object.keys(node).filter(key => key !== 'loc' && (node[key] === null || typeof node[key] === 'object'));
		childKeysByType.set(node.type, keys);
	}
	return keys;
}

/**
 * Calls `each` on a node's children in source order, with the key each sits under, until it returns true.
 * A plain loop over cached keys: a generator of tuples made walking a large file slow and heavy on the GC.
 */
export function someChild(node: AnyNode, each: (child: AnyNode, key: string) => boolean | void): boolean {
	for (const key of childKeys(node)) {
		const value = node[key];
		if (Array.isArray(value)) {
			for (const child of value) if (child && typeof child.type === 'string' && each(child, key) === true) return true;
		} else if (value && typeof value.type === 'string' && each(value, key) === true) {
			return true;
		}
	}
	return false;
}

export const isFunction = (node: AnyNode): boolean =>
	node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';

/**
 * The names a binding pattern binds (`{a, b: [c]}`), and, for a member assigned (`ctx.user = …`, `this.token = …`),
 * the variable (or `this`) under it.
 */
export function collectNames(pattern: AnyNode, into: Set<string>): void {
	switch (pattern.type) {
		case 'Identifier':
			into.add(pattern.name);
			break;
		case 'ObjectPattern':
			for (const prop of pattern.properties) collectNames(prop.type === 'RestElement' ? prop.argument : prop.value, into);
			break;
		case 'ArrayPattern':
			for (const element of pattern.elements) if (element) collectNames(element, into);
			break;
		case 'AssignmentPattern':
			collectNames(pattern.left, into);
			break;
		case 'RestElement':
			collectNames(pattern.argument, into);
			break;
		// `ctx.user = await …`, `this.token = await …`: later reads of the object (or of `this`) may read it.
		case 'MemberExpression': {
			let object = pattern.object;
			while (object.type === 'MemberExpression') object = object.object;
			if (object.type === 'Identifier') into.add(object.name);
			else if (object.type === 'ThisExpression') into.add(THIS);
			break;
		}
	}
}

/** `this`, among the names an await's value went into: no variable can be named so. */
export const THIS = 'this';

/** Whether the expression reads any of the names (a static, scope-insensitive approximation). */
export function readsAny(node: AnyNode, names: ReadonlySet<string>): boolean {
	if (names.size === 0) return false;
	if (node.type === 'Identifier') return names.has(node.name);
	if (node.type === 'ThisExpression') return names.has(THIS);
	return someChild(node, (child, key) => {
		// `a.name` and `{name: …}` name a property, not a variable.
		if ((node.type === 'MemberExpression' && key === 'property' && !node.computed) || (node.type === 'Property' && key === 'key' && !node.computed)) return false;
		return readsAny(child, names);
	});
}
