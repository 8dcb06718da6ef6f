import {closeSync, openSync, writeSync} from 'node:fs';
import {serializeBatch, serializeLine} from '../../source/protocol/encode.js';
import type {AsyncmonEvent} from '../../source/protocol/events.js';
import {header} from './events.js';
import {tempFile} from './temp.js';

/** 500,000 tasks under one, each started and ended in one flush (a span line: two events), in batches as the child writes them. */
export function millionEventRecording(): string {
	const file = tempFile('million.ndjson');
	const fd = openSync(file, 'w');
	writeSync(fd, serializeLine(header()));
	writeSync(fd, serializeBatch([{type: 'task.start', t: 0, id: 1, parent: null, kind: 'script', name: 'million.ts', loc: null}]));
	const perBatch = 5000;
	for (let batch = 0; batch < 100; batch++) {
		const events: AsyncmonEvent[] = [];
		for (let i = 0; i < perBatch; i++) {
			const id = 2 + batch * perBatch + i;
			const t = id * 0.01;
			events.push(
				{type: 'task.start', t, id, parent: 1, kind: 'task', name: `tiny(${id})`, loc: 'million.ts:3:1'},
				{type: 'task.end', t: t + 0.005, id, ok: id % 1000 !== 0, busy: 0.005, wait: 0, sched: 0, awaits: 0},
			);
		}
		writeSync(fd, serializeBatch(events));
	}
	writeSync(fd, serializeBatch([{type: 'task.end', t: 5001, id: 1, ok: true, busy: 1, wait: 0, sched: 0, awaits: 0}, {type: 'exit', t: 5002, code: 0, signal: null}]));
	closeSync(fd);
	return file;
}
