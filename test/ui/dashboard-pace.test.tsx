import {render} from 'ink-testing-library';
import {describe, expect, it} from 'vitest';
import type {ModelSource} from '../../source/model/source.js';
import {DashboardView} from '../../source/ui/components/dashboard-view.js';
import {FakeSession} from '../helpers/events.js';

const wait = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

/** A running script whose model does not change: only the dashboard's clock redraws it, as time passes. */
function clockRedraws(redrawIntervalMs: number | undefined): {frames: () => number; unmount: () => void} {
	const session = new FakeSession({script: 'idle.ts'}).emit('task.start', {t: 0, id: 1, kind: 'script', name: 'idle.ts', loc: 'idle.ts:1:1'});
	const source: ModelSource = {state: session.state, subscribe: listener => session.subscribe(listener), redrawIntervalMs};
	const started = Date.now();
	const clock = (): number => session.state.header!.startedAt + 1000 + (Date.now() - started);
	const instance = render(
		<DashboardView source={source} title="idle.ts" ascii={false} color={false} exitOnEnd={false} onInterrupt={() => {}} onQuit={() => {}} size={{columns: 100, rows: 20}} wallClock={clock} />,
	);
	return {frames: () => instance.frames.length, unmount: () => instance.unmount()};
}

/** The insights redraw the view once a second whatever its pace: a look at its frames comes before. */
const WINDOW_MS = 900;

describe('dashboard: the clock follows the source’s pace', () => {
	it('redraws for the clock four times a second by itself, no more often than its source notifies when that is less often', async () => {
		// A machine too loaded to tick within the window is tried again, not judged.
		for (let attempt = 1; ; attempt++) {
			const mountedAt = Date.now();
			const own = clockRedraws(undefined);
			const paced = clockRedraws(60_000);
			// Mounting draws more than once (the first insights, the model's version): from when the frames settle.
			let [ownFirst, pacedFirst] = [-1, -1];
			while (own.frames() !== ownFirst || paced.frames() !== pacedFirst) {
				[ownFirst, pacedFirst] = [own.frames(), paced.frames()];
				await wait(40);
			}
			while (own.frames() === ownFirst && Date.now() - mountedAt < WINDOW_MS) await wait(10);
			const ticked = own.frames() > ownFirst;
			// The other view's timer fires in the same turn or just after: its frame, if any, has come by then.
			await wait(50);
			const pacedNow = paced.frames();
			const inWindow = Date.now() - mountedAt < WINDOW_MS;
			own.unmount();
			paced.unmount();
			if ((ticked && inWindow) || attempt === 5) {
				// Ticks every 250 ms.
				expect(ticked).toBe(true);
				// Nothing, where the source notifies once a minute.
				expect(pacedNow).toBe(pacedFirst);
				return;
			}
		}
	});
});

describe('dashboard: insights worked out again', () => {
	// A pass of the insights costs as much as a frame on a large model: one that finds as many as the last draws none.
	it('draw no frame when they are as many as before and their pane is closed', async () => {
		const session = new FakeSession({script: 'idle.ts'})
			.emit('task.start', {t: 0, id: 1, kind: 'script', name: 'idle.ts', loc: 'idle.ts:1:1'})
			.emit('task.start', {t: 1, id: 2, parent: 1, name: 'crunch()', loc: 'idle.ts:3:1'})
			.emit('block.end', {t: 400, id: 1, durationMs: 390, task: 2});
		const source: ModelSource = {state: session.state, subscribe: listener => session.subscribe(listener), redrawIntervalMs: 60_000};
		const clock = (): number => session.state.header!.startedAt + 1000;
		const instance = render(
			<DashboardView source={source} title="idle.ts" ascii={false} color={false} exitOnEnd={false} onInterrupt={() => {}} onQuit={() => {}} size={{columns: 100, rows: 20}} wallClock={clock} />,
		);
		let settled = -1;
		while (instance.frames.length !== settled) {
			settled = instance.frames.length;
			await wait(100);
		}
		expect(instance.lastFrame()).toMatch(/1 insight \(n\)/);
		// The next pass comes a second after the first, or later.
		await wait(1300);
		expect(instance.frames.length).toBe(settled);
		instance.unmount();
	});
});
