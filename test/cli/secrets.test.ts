import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {recordApp} from '../helpers/recorded.js';
import {runCli} from '../helpers/run-cli.js';
import {tempFile} from '../helpers/temp.js';

/** Where test/fixtures/scripts/secrets.ts puts each secret, by the secret. */
const REDACTED_SECRETS = {
	fetchpw77: 'a URL with credentials that global fetch refuses: its message, stack and the uncaught rejection repeat it',
	'token-secret-1': 'a thrown Error with ?token= in its message',
	argpw55: 'a string argument, in the task name',
	'jwt-secret-2': 'a jwt query value of a request',
	'bearer-secret-3': 'a bearer query value',
	'pass-secret-4': 'a pass query value',
	'private-secret-5': 'a private query value',
	'fs-secret-10': 'an fs op name and its ENOENT message',
	'argv-secret-11': "the script's arguments, in the header",
	'argv-secret-14': "a flag's value among the script's arguments (--token=…)",
	'argv-secret-15': "the argument after a flag of its own (--password …)",
	'flag-secret-13': 'a flag in a thrown Error\'s message (--password=…)',
	'named-secret-12': 'a name given with task(name, fn)',
	'param-secret-16': 'an argument for a parameter named password, in the task name',
	'param-secret-17': 'an argument for a parameter named apiKey, in the task name',
};
/** Headers, recorded with --no-redact as without: never. */
const HEADER_SECRETS = {
	'authorization-secret-6': 'an Authorization request header',
	'cookie-secret-7': 'a Cookie request header',
	'proxy-secret-8': 'a Proxy-Authorization request header',
	'setcookie-secret-9': 'a Set-Cookie response header',
};

async function record(redact: boolean): Promise<string> {
	const file = tempFile('secrets.ndjson');
	const options = redact ? [] : ['--no-redact'];
	const result = await runCli(['--plain', ...options, '--record', file, 'secrets.ts', 'https://argvuser:argv-secret-11@example.com/', '--token=argv-secret-14', '--password', 'argv-secret-15']);
	expect(result.code, result.stderr).toBe(1);
	return readFileSync(file, 'utf8');
}

describe('a recording keeps no secret', () => {
	it('redacts URL credentials and secret-named query values wherever they appear, and never records auth headers', async () => {
		const recording = await record(true);
		for (const [secret, where] of Object.entries({...REDACTED_SECRETS, ...HEADER_SECRETS})) expect(recording, where).not.toContain(secret);
		expect(recording).toContain('http://REDACTED:REDACTED@127.0.0.1:');
		expect(recording).toContain('?token=REDACTED failed');
		expect(recording).toContain('jwt=REDACTED&bearer=REDACTED&pass=REDACTED&private=REDACTED&page=2');
		expect(recording).toMatch(/"type":"uncaught".*REDACTED:REDACTED@/);
		// The other arguments stay: only the parameters named like a secret are hidden.
		expect(recording).toContain('login(\\"ada\\", REDACTED, {…}, REDACTED)');
	});

	it('keeps them with --no-redact, all but the headers', async () => {
		const recording = await record(false);
		for (const [secret, where] of Object.entries(REDACTED_SECRETS)) expect(recording, where).toContain(secret);
		for (const [secret, where] of Object.entries(HEADER_SECRETS)) expect(recording, where).not.toContain(secret);
	});
});

it("names a call by the arguments its function declares: a caller's extra ones (a queue's lock token) are never shown or recorded", async () => {
	const token = 'e954bed0-aca6-4edc-8d0a-5f2f3c1b9a77';
	const {result, report, file} = await recordApp([
		'async function processJob (job) { await new Promise(r => setTimeout(r, 5)); return job.id }',
		'async function logAll () { await new Promise(r => setTimeout(r, 5)); return arguments.length }',
		`const runner = fn => fn({id: 7, name: 'email'}, '${token}', undefined)`,
		'Promise.all([runner(processJob), runner(logAll)]).then(r => console.log(r.join(" ")))',
	]);
	expect(result.code).toBe(0);
	expect(result.stdout).toContain('7 3');
	const names = report.tasks.map(task => task.name);
	expect(names).toContain('processJob({…})');
	// A function that reads `arguments` reads them all: its name shows what it was given.
	// (A long string shows its start.)
	expect(names.find(name => name.startsWith('logAll('))).toContain(token.slice(0, 20));
	const withToken = readFileSync(file, 'utf8').split('\n').filter(line => line.includes(token.slice(0, 8)));
	expect(withToken.length).toBeGreaterThan(0);
	for (const line of withToken) expect(line).toContain('logAll(');
});
