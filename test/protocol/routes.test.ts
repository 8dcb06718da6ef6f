import {expect, it} from 'vitest';
import {routeOf} from '../../source/protocol/routes.js';

it('names a route by its template where the framework said one, else by its shape', () => {
	expect(routeOf({method: 'GET', url: '/users/7?token=REDACTED', route: '/users/:id'})).toBe('GET /users/:id');
	expect(routeOf({method: 'GET', url: '/users/7/orders/123e4567-e89b-12d3-a456-426614174000?x=1'})).toBe('GET /users/:id/orders/:id');
	expect(routeOf({method: 'POST', url: '/files/0123456789abcdef01'})).toBe('POST /files/:id');
	expect(routeOf({method: 'GET', url: '/health'})).toBe('GET /health');
	expect(routeOf({method: 'GET', url: '/v2/items'})).toBe('GET /v2/items');
});
