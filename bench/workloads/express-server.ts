// An Express 5 API for the soak and the server benchmark: GET /users/:id awaits a 1 ms "query" and
// answers JSON. It listens on 127.0.0.1 at the port given (0: any) and writes the port it got to
// SERVER_PORT_FILE when set (under the dashboard its stdout is on the screen, not readable).
//   node bench/workloads/express-server.ts [port]
// Node 24 runs this file as is (type stripping): erasable TypeScript only.
import express from 'express';
import {writeFileSync} from 'node:fs';
import type {AddressInfo} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';

const app = express();

async function loadUser(id: string): Promise<{id: string; name: string}> {
	await sleep(1);
	return {id, name: `user-${id}`};
}

app.get('/users/:id', async (request, response) => {
	response.json(await loadUser(request.params.id));
});

const server = app.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
	const {port} = server.address() as AddressInfo;
	if (process.env.SERVER_PORT_FILE) writeFileSync(process.env.SERVER_PORT_FILE, String(port));
	console.log(`listening on ${port}`);
});
process.once('SIGTERM', () => server.close());
