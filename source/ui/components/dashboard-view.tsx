import {useEffect, useMemo, useRef, useState} from 'react';
import {useInput} from 'ink';
import type {ModelSource, ReplayControls} from '../../model/source.js';
import {computeInsights, type Insight} from '../../model/insights.js';
import {summarize} from '../../model/summary.js';
import {cloneState} from '../../model/state.js';
import {runReplayAction} from '../replay-controls.js';
import {viewNow} from '../view-model/clock.js';
import {commandForKey, keyPresses, type KeyPress} from '../view-model/keys.js';
import {buildScreen, type TerminalSize} from '../view-model/screen.js';
import {buildTreeRows, sortsByTime} from '../view-model/tree-rows.js';
import {INITIAL_UI, quitOutcome, reduceUi, type Command, type UiState, type Viewport} from '../view-model/ui-state.js';
import {insightsPauseMs} from '../view-model/insights.js';
import {LinesView} from './lines-view.js';

export interface DashboardViewProps {
	source: ModelSource;
	title: string;
	ascii: boolean;
	color: boolean;
	exitOnEnd: boolean;
	replay?: ReplayControls;
	onInterrupt: () => void;
	onQuit: () => void;
	size: TerminalSize;
	/** Wall clock, epoch ms; tests pin it. */
	wallClock?: () => number;
	/** How long building this frame's lines took, ms (the tree, the screen): Ink's output of them is timed apart. */
	onFrameBuilt?: (ms: number) => void;
}

/** Clock ticks between model notifications, so elapsed times and a live BLOCKED banner keep moving. */
const TICK_MS = 250;

/** The dashboard's one stateful component: it holds the key-driven UI state and hands pure view-model output to LinesView. */
export function DashboardView({source, title, ascii, color, exitOnEnd, replay, onInterrupt, onQuit, size, wallClock = Date.now, onFrameBuilt}: DashboardViewProps) {
	const buildStartedAt = performance.now();
	const [ui, setUi] = useState<UiState>(INITIAL_UI);
	const uiRef = useRef(ui);
	const frozen = ui.frozenNowMs !== null;
	// Re-renders when the source says the model changed (at most 5 times a second).
	useModelVersion(source, frozen);
	// The model is mutated in place as events arrive: a paused view draws a copy taken when it paused, so rows,
	// states, counts and timers all hold still, not just the clock.
	const snapshot = useMemo(() => (frozen ? cloneState(source.state) : null), [source, frozen]);
	const state = snapshot ?? source.state;
	const ended = state.exit !== null;
	const [, setTick] = useState(0);
	const drawnAt = useRef(0);
	drawnAt.current = wallClock();
	// Only where nothing else redrew meanwhile: a busy model redraws often enough (as often as its source allows).
	useTicker(!ended && !frozen && !(replay?.paused ?? false), () => {
		if (wallClock() - drawnAt.current >= Math.max(TICK_MS, source.redrawIntervalMs ?? 0)) setTick(tick => tick + 1);
	});

	const nowMs = ui.frozenNowMs ?? viewNow(state, replay, wallClock());
	// The model is mutated in place: its own versions are what tell these memos it changed (the tree's for the rows:
	// loop samples change no row). Not the `version` the source last announced: a clock tick may draw a model changed
	// since, whose folded rows are gone.
	const sortClock = sortsByTime(ui.query.sort) ? nowMs : 0;
	// What fits the terminal stays whole: a working task's older finished tasks give way only to rows that would not.
	const rows = useMemo(() => buildTreeRows(state, ui.query, nowMs, size.rows), [state, state.treeVersion, ui.query, sortClock, size.rows]);
	const summary = useMemo(() => (ended ? summarize(state) : null), [state, state.version, ended]);
	const insights = useInsights(source, ended, frozen, ui.insights);
	const screen = buildScreen({state, ui, rows, nowMs, size, title, ascii, replay, summary, insights});
	onFrameBuilt?.(performance.now() - buildStartedAt);
	const viewportRef = useRef<Viewport>(screen.viewport);
	viewportRef.current = screen.viewport;

	useQuitOnEnd(source, exitOnEnd, onQuit);

	const dispatch = (command: Command): void => {
		// Keys can arrive faster than React re-renders; each must see the state the previous one left.
		uiRef.current = reduceUi(uiRef.current, command, viewportRef.current);
		setUi(uiRef.current);
	};

	const press = (input: string, key: KeyPress): void => {
		const command = commandForKey(input, key, uiRef.current, replay !== undefined);
		if (!command) return;
		if (command.type === 'quit') {
			// The live model's end, not a paused view's: an interrupt for a script that is gone would wait for nothing.
			const scriptRunning = replay === undefined && source.state.exit === null;
			if (quitOutcome(uiRef.current, scriptRunning) === 'quit') return onQuit();
			onInterrupt();
			return dispatch({type: 'interruptSent'});
		}
		if (command.type === 'replay') {
			if (replay) runReplayAction(replay, command.action);
			return setTick(tick => tick + 1);
		}
		dispatch(command);
	};

	useInput((input, key) => {
		for (const [each, eachKey] of keyPresses(input, key)) press(each, eachKey);
	});

	return <LinesView lines={screen.lines} width={size.columns} color={color} />;
}

/**
 * --exit-on-end: quits as the source tells of the script's end, whatever the view draws. Not on a frame that shows
 * it: a paused view draws none, and the model changes in place, so a render React dropped (a key that changed
 * nothing) may have seen the end first, leaving no change for a later frame's effect to see.
 */
function useQuitOnEnd(source: ModelSource, exitOnEnd: boolean, onQuit: () => void): void {
	useEffect(() => {
		if (!exitOnEnd) return;
		let quit = false;
		const quitIfEnded = (): void => {
			if (quit || source.state.exit === null) return;
			quit = true;
			onQuit();
		};
		quitIfEnded();
		return source.subscribe(quitIfEnded);
	}, [source, exitOnEnd, onQuit]);
}

/**
 * Insights scan every task: they are worked out once a second, or less often where that is costly (see
 * insightsPauseMs), once more when the script ends and as their pane opens, apart from drawing, so no frame pays for them.
 */
function useInsights(source: ModelSource, ended: boolean, frozen: boolean, paneOpen: boolean): Insight[] {
	const [insights, setInsights] = useState<Insight[]>([]);
	const shownCount = useRef(0);
	useEffect(() => {
		if (frozen) return;
		let timer: NodeJS.Timeout | undefined;
		const update = (): void => {
			const startedAt = performance.now();
			const next = computeInsights(source.state);
			// Closed, the pane shows only their count: the same count draws no frame (each costs as much as a pass),
			// nor a render React would throw away for equal state (see useQuitOnEnd).
			if (paneOpen || next.length !== shownCount.current) {
				shownCount.current = next.length;
				setInsights(next);
			}
			// The model itself says whether the script ended: a render React dropped may have seen the end first (see useQuitOnEnd).
			if (source.state.exit === null) timer = setTimeout(update, insightsPauseMs(performance.now() - startedAt));
		};
		update();
		return () => clearTimeout(timer);
		// The pane's opening starts the passes afresh: it shows what holds now, not what held a pause ago.
	}, [source, ended, frozen, paneOpen]);
	return insights;
}

/** The model's version, held still while the view is paused; notifications keep arriving either way. */
function useModelVersion(source: ModelSource, frozen: boolean): number {
	const [version, setVersion] = useState(source.state.version);
	const frozenRef = useRef(frozen);
	frozenRef.current = frozen;
	useEffect(
		() =>
			source.subscribe(() => {
				if (!frozenRef.current) setVersion(source.state.version);
			}),
		[source],
	);
	useEffect(() => {
		if (!frozen) setVersion(source.state.version);
	}, [source, frozen]);
	return version;
}

function useTicker(active: boolean, onTick: () => void): void {
	const onTickRef = useRef(onTick);
	onTickRef.current = onTick;
	useEffect(() => {
		if (!active) return;
		const timer = setInterval(() => onTickRef.current(), TICK_MS);
		return () => clearInterval(timer);
	}, [active]);
}
