import type {Insight} from '../model/insights.js';
import type {ModelState} from '../model/state.js';
import {blockedLoopMessage} from './insights/blocked-loop.js';
import {concurrencyMessage} from './insights/concurrency.js';
import {floatingPromiseMessage} from './insights/floating-promise.js';
import {httpMessage} from './insights/http.js';
import {keepsAliveMessage} from './insights/keeps-alive.js';
import {neverSettledMessage} from './insights/never-settled.js';
import {parallelismMessage} from './insights/parallelism.js';
import {sequentialAwaitsMessage} from './insights/sequential-awaits.js';
import {unhandledRejectionMessage} from './insights/unhandled-rejection.js';

/**
 * An insight in words, phrased as what to change. The state is the one the
 * insight was computed from: a block's culprit and a wait's target are named
 * from it.
 */
/** `ascii`: multiples as `2.0x`, for --ascii; other wording is ASCII already, apart from the user's own names. */
export function insightMessage(state: ModelState, insight: Insight, ascii = false): string {
	switch (insight.kind) {
		case 'sequential-awaits':
			return sequentialAwaitsMessage(insight);
		case 'blocked-loop':
			return blockedLoopMessage(state, insight);
		case 'concurrency':
			return concurrencyMessage(insight, ascii);
		case 'unhandled-rejection':
			return unhandledRejectionMessage(insight);
		case 'never-settled':
			return neverSettledMessage(state, insight);
		case 'floating-promise':
			return floatingPromiseMessage(insight);
		case 'keeps-alive':
			return keepsAliveMessage(insight);
		case 'parallelism':
			return parallelismMessage(insight, ascii);
		case 'http':
			return httpMessage(insight);
	}
}
