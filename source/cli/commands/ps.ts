import {formatDuration} from '../../present/durations.js';
import {sanitize} from '../../present/text.js';
import {agentStatus, listAgentFiles, AgentUnreachable} from '../../monitor/agent-client.js';
import type {AgentMeta, AgentStatus} from '../../protocol/agent.js';
import {UsageError} from '../usage-error.js';

export interface PsArgs {
	json: boolean;
}

interface Row {
	meta: AgentMeta;
	status: AgentStatus | null;
}

/** `asyncmon ps`: the running services with an agent that this user can reach. Those whose process is gone are cleaned up. */
export async function psCommand(args: PsArgs, out: NodeJS.WritableStream = process.stdout): Promise<number> {
	let agents: AgentMeta[];
	try {
		agents = listAgentFiles();
	} catch (error) {
		throw error instanceof AgentUnreachable ? new UsageError(error.message) : error;
	}
	const rows: Row[] = await Promise.all(agents.map(async meta => ({meta, status: await agentStatus({socket: meta.socket}).catch(() => null)})));
	if (args.json) {
		out.write(`${JSON.stringify(rows.map(({meta, status}) => ({...meta, status})), null, 2)}\n`);
		return 0;
	}
	if (rows.length === 0) {
		out.write('No running services with an agent (start one with: node --import asyncmon/agent app.js)\n');
		return 0;
	}
	const table = [['PID', 'SCRIPT', 'UPTIME', 'TASKS', 'CLIENTS', 'LISTENING ON'], ...rows.map(cells)];
	const widths = table[0]!.map((_, column) => Math.max(...table.map(row => row[column]!.length)));
	for (const row of table) out.write(`${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}\n`);
	return 0;
}

function cells({meta, status}: Row): string[] {
	const listening = meta.tcp ? `${meta.socket}, ${meta.tcp}` : meta.socket;
	if (!status) return [String(meta.pid), sanitize(meta.script), '?', 'not answering', '?', listening];
	return [
		String(status.pid),
		sanitize(status.script),
		formatDuration(status.uptimeMs),
		`${status.running} running, ${status.finished} finished`,
		status.clients > 0 ? `${status.clients} connected` : 'none',
		listening,
	];
}
