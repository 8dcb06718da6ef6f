import {type ChildProcess, spawn, spawnSync} from 'node:child_process';
import {chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {freePort} from './free-port.js';
import {useStarted} from './use-started.js';

/** A database server of the machine's own, run for the tests in a temporary directory on 127.0.0.1. */
export interface Service {
	port: number;
	/** How a client connects: `postgres://…`, `redis://…` or `mysql://…/`. */
	url: string;
	/** Stops the server and removes its directory. */
	close(): Promise<void>;
}

const READY_WITHIN_MS = 20_000;
const INSTALL_HINT = 'install Debian\'s postgresql, redis-server and mariadb-server packages (.ci/run does: apt-get install postgresql redis-server mariadb-server)';

/** The tests' PostgreSQL for the tests around the call: started before them, stopped after them. */
export function usePostgres(): () => Service {
	return useStarted(startPostgres);
}

export function useRedis(): () => Service {
	return useStarted(startRedis);
}

export function useMariadb(): () => Service {
	return useStarted(startMariadb);
}

/**
 * A fresh cluster (initdb, trust authentication for local connections only) on a free port, its unix socket in its
 * own directory. PostgreSQL refuses to run as root, so under root (as in CI) it runs as the `postgres` user that
 * Debian's package creates, and the directory is handed to that user.
 */
async function startPostgres(): Promise<Service> {
	const bin = postgresBinaries();
	const owner = process.getuid?.() === 0 ? systemUser('postgres', 'PostgreSQL') : undefined;
	const dir = serviceDirectory('pg', owner);
	const data = join(dir, 'data');
	const initdb = spawnSync(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
		...owner,
		encoding: 'utf8',
	});
	if (initdb.status !== 0) {
		rmSync(dir, {recursive: true, force: true});
		throw new Error(initdb.error ? `initdb: ${initdb.error.message}: ${INSTALL_HINT}` : `initdb failed:\n${initdb.stderr}`);
	}
	const port = await freePort();
	// -F: no fsync; the cluster is thrown away. SIGINT is PostgreSQL's fast shutdown: it does not wait for clients.
	const args = ['-D', data, '-p', String(port), '-k', dir, '-F', '-c', 'listen_addresses=127.0.0.1', '-c', 'shared_buffers=16MB'];
	const server = spawn(bin('postgres'), args, {...owner, stdio: ['ignore', 'ignore', 'pipe']});
	return running(server, server.stderr!, /database system is ready to accept connections/, 'SIGINT', dir, {
		port,
		url: `postgres://postgres@127.0.0.1:${port}/postgres`,
	});
}

/** Redis with no persistence, on a free port, working in its own directory. */
async function startRedis(): Promise<Service> {
	const dir = serviceDirectory('redis');
	const port = await freePort();
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
	const server = spawn('redis-server', args, {stdio: ['ignore', 'pipe', 'ignore']});
	return running(server, server.stdout!, /Ready to accept connections/, 'SIGTERM', dir, {port, url: `redis://127.0.0.1:${port}`});
}

/**
 * MariaDB (MySQL's protocol) in a fresh data directory on a free port, with no grant tables: any user, no password,
 * from 127.0.0.1 alone. Under root it runs as the `mysql` user that Debian's package creates, as PostgreSQL does.
 */
async function startMariadb(): Promise<Service> {
	const owner = process.getuid?.() === 0 ? systemUser('mysql', 'MariaDB') : undefined;
	const dir = serviceDirectory('mariadb', owner);
	const data = join(dir, 'data');
	const asUser = owner ? ['--user=mysql'] : [];
	const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--skip-test-db', '--skip-name-resolve', ...asUser], {encoding: 'utf8'});
	if (install.status !== 0) {
		rmSync(dir, {recursive: true, force: true});
		throw new Error(install.error ? `mariadb-install-db: ${install.error.message}: ${INSTALL_HINT}` : `mariadb-install-db failed:\n${install.stderr}`);
	}
	const port = await freePort();
	const args = [
		'--no-defaults',
		`--datadir=${data}`,
		`--socket=${join(dir, 'mariadb.sock')}`,
		`--pid-file=${join(dir, 'mariadb.pid')}`,
		`--port=${port}`,
		'--bind-address=127.0.0.1',
		'--skip-grant-tables',
		'--innodb-buffer-pool-size=16M',
		...asUser,
	];
	// Debian installs the server in /usr/sbin, which only root's PATH holds.
	const server = spawn(existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd', args, {stdio: ['ignore', 'ignore', 'pipe']});
	return running(server, server.stderr!, /ready for connections/, 'SIGTERM', dir, {port, url: `mysql://root@127.0.0.1:${port}/`});
}

/** Waits for the server's ready line; the service it returns stops it and removes its directory, once. */
function running(
	server: ChildProcess,
	log: NodeJS.ReadableStream,
	ready: RegExp,
	stopSignal: NodeJS.Signals,
	dir: string,
	address: {port: number; url: string},
): Promise<Service> {
	// 'close', not 'exit': a program that could not be started never exits.
	const closed = new Promise<void>(resolve => server.once('close', () => resolve()));
	// A test process that dies without its afterAll must not leave a server behind.
	const killOnExit = () => server.kill('SIGKILL');
	process.once('exit', killOnExit);
	let stopping: Promise<void> | undefined;
	const stop = () =>
		(stopping ??= (async () => {
			process.off('exit', killOnExit);
			if (server.exitCode === null && server.signalCode === null) server.kill(stopSignal);
			await closed;
			rmSync(dir, {recursive: true, force: true});
		})());
	let output = '';
	let settled = false;
	return new Promise((resolve, reject) => {
		const settle = (why?: string) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (why === undefined) resolve({...address, close: stop});
			else void stop().then(() => reject(new Error(output ? `${why}; it wrote:\n${output}` : why)));
		};
		const timer = setTimeout(() => settle(`${server.spawnfile} was not ready within ${READY_WITHIN_MS} ms`), READY_WITHIN_MS);
		server.once('error', error => settle(`${server.spawnfile}: ${error.message}: ${INSTALL_HINT}`));
		server.once('exit', (code, signal) => settle(`${server.spawnfile} exited at start-up (${signal ?? code})`));
		log.setEncoding('utf8');
		log.on('data', (text: string) => {
			if (settled) return;
			output += text;
			if (ready.test(output)) settle();
		});
	});
}

function serviceDirectory(name: string, owner?: {uid: number; gid: number}): string {
	const dir = mkdtempSync(join(tmpdir(), `asyncmon-${name}-`));
	if (owner) chownSync(dir, owner.uid, owner.gid);
	return dir;
}

/** Debian keeps each major version's programs in /usr/lib/postgresql/N/bin, off PATH: the newest is taken; elsewhere, PATH's. */
function postgresBinaries(): (program: string) => string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).filter(v => existsSync(join(root, v, 'bin/initdb'))) : [];
	const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
	return newest ? program => join(root, newest, 'bin', program) : program => program;
}

function systemUser(name: string, server: string): {uid: number; gid: number} {
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find(entry => entry.startsWith(`${name}:`));
	if (!line) throw new Error(`${server} does not run as root, and there is no '${name}' user to run it as: ${INSTALL_HINT}`);
	const [, , uid, gid] = line.split(':');
	return {uid: Number(uid), gid: Number(gid)};
}
