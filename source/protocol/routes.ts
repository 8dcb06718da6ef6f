/** A path segment that is an id, not a place: a number, a UUID, a long hex or base64-ish token. */
const ID_SEGMENT = /^(?:\d+|[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}|[\da-f]{16,}|[\w-]{24,})$/i;

/**
 * `GET /users/:id`: a received request's method and route, which groups its figures (in the model) and folds its
 * tasks (in the script's process, which keeps one allowance per route: one per path would grow without end).
 * The framework's template where it said one; else the path without its query, its id-like segments as
 * `:id`, so that a server's routes stay a few however many users it serves.
 */
export function routeOf(request: {method: string; url: string; route?: string}): string {
	if (request.route !== undefined) return `${request.method} ${request.route}`;
	const path = request.url.split('?')[0]!;
	return `${request.method} ${path
		.split('/')
		.map(segment => (ID_SEGMENT.test(segment) ? ':id' : segment))
		.join('/')}`;
}
