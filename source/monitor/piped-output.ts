import {Buffer} from 'node:buffer';
import type {Ms} from '../protocol/events.js';
import {OutputDecoder, type OutputChunk} from '../protocol/output-bytes.js';

/**
 * How long bytes no `wrote` line claimed wait before they go out as they are, stamped when they were read: a
 * raw write to fd 1 or 2 (a child process sharing it, Node's own crash report), or the script's own write
 * while its thread is too busy to flush the line that tells it (a loop that never returns).
 */
export const UNCLAIMED_WAIT_MS = 500;

/** Past how many bytes held beyond a claim's own its first bytes are no longer looked for: it counts, as a claim that says nothing. */
const HEAD_SEARCH_BYTES = 64 * 1024;

interface Arrived {
	bytes: Buffer;
	at: Ms;
}

/**
 * One of the script's output streams, as read from its pipe, in the order of the pipe, byte for byte. The
 * script's runtime writes its bytes at once and tells when in a `wrote` line of its event stream (`claim`): each
 * claim lets out as many bytes as it counts, stamped with its time, so they come in order with the script's
 * events. Bytes no claim came for within UNCLAIMED_WAIT_MS, or still there at the end, go out stamped when they
 * were read; a claim that comes later counts them as already out. A chunk is never stamped earlier than the one
 * before it, so the pipe's order holds wherever the output is put in time order. Nothing the pipe held is lost: the bytes a
 * script wrote before it was killed are in it.
 */
export class PipedOutput {
	private readonly arrived: Arrived[] = [];
	/** Bytes in `arrived`. */
	private held = 0;
	/** Claimed bytes not yet read from the pipe, with the times they were written, and their first bytes while they are still to be found. */
	private readonly claims: Array<{t: Ms; bytes: number; head?: Buffer}> = [];
	/** Bytes let out before their claim came (unclaimed ones that waited too long): later claims count against them first. */
	private credit = 0;
	private readonly decoder = new OutputDecoder();
	private timer: NodeJS.Timeout | null = null;
	/** The time of the latest chunk let out: none goes out earlier, so a reader that orders by time keeps the pipe's order. */
	private latest = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly emit: (t: Ms, chunk: OutputChunk) => void,
		private readonly now: () => Ms,
		/** After overdue bytes went out on the timer, not in answer to a read or a claim: a moment to write out. */
		private readonly afterOverdue: () => void,
	) {}

	/** Bytes read from the pipe. */
	read(bytes: Buffer): void {
		this.arrived.push({bytes, at: this.now()});
		this.held += bytes.length;
		this.letClaimedOut();
		if (this.held > 0) this.timer ??= setTimeout(() => this.letOverdueOut(), UNCLAIMED_WAIT_MS).unref();
	}

	/** A `wrote` line: the script wrote `bytes` bytes at `t`, beginning with `head` where the line says. */
	claim(t: Ms, bytes: number, head?: Buffer): void {
		const counted = Math.min(this.credit, bytes);
		this.credit -= counted;
		// Partly let out already: where it begins is out too.
		if (bytes > counted) this.claims.push(counted === 0 && head !== undefined && head.length > 0 ? {t, bytes, head} : {t, bytes: bytes - counted});
		this.letClaimedOut();
	}

	/** The end of the session: every byte still held goes out. */
	end(): void {
		this.letClaimedOut();
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		if (this.held > 0) this.letOut(this.arrived[0]!.at, this.held);
		this.pass(this.arrived.length > 0 ? this.arrived[0]!.at : this.now(), this.decoder.end());
		this.claims.length = 0;
	}

	/**
	 * Claims whose bytes have all been read. Bytes before where a claim begins are no write of the script's (a child's
	 * sharing the pipe, `spawnSync(cmd, {stdio: 'inherit'})`): they go out as they are, stamped when they were read,
	 * and the claim takes its own, not the last of theirs and the first of its (`line num`, then `ber 0`).
	 */
	private letClaimedOut(): void {
		while (this.claims.length > 0) {
			const claim = this.claims[0]!;
			if (claim.head !== undefined) {
				const at = this.startsWith(claim.head) ? 0 : this.held > 0 ? this.heldBytes().indexOf(claim.head) : -1;
				// Not read yet: it waits, and what stands before it goes out on the timer if it never comes (see letOverdueOut).
				if (at === -1 && this.held < claim.bytes + HEAD_SEARCH_BYTES) return;
				if (at > 0) this.letOut(this.arrived[0]!.at, at);
				claim.head = undefined;
			}
			if (claim.bytes > this.held) return;
			this.claims.shift();
			this.letOut(claim.t, claim.bytes);
		}
	}

	/** Whether the bytes held begin with `head` in their first chunk: where a claim begins, nearly always. */
	private startsWith(head: Buffer): boolean {
		const first = this.arrived[0]?.bytes;
		return first !== undefined && first.length >= head.length && first.subarray(0, head.length).equals(head);
	}

	/** The bytes held, as one buffer. */
	private heldBytes(): Buffer {
		return this.arrived.length === 1 ? this.arrived[0]!.bytes : Buffer.concat(this.arrived.map(({bytes}) => bytes));
	}

	/** Bytes that waited UNCLAIMED_WAIT_MS for a claim go out as they are, stamped when they were read. */
	private letOverdueOut(): void {
		this.timer = null;
		const due = this.now() - UNCLAIMED_WAIT_MS;
		let bytes = 0;
		for (const {bytes: chunk, at} of this.arrived) {
			if (at > due) break;
			bytes += chunk.length;
		}
		if (bytes > 0) {
			const at = this.arrived[0]!.at;
			// What the first claims to come would have let out: they count it as out.
			this.credit += bytes - this.claimedAhead(bytes);
			this.letOut(at, bytes);
			this.afterOverdue();
		}
		if (this.held > 0) this.timer = setTimeout(() => this.letOverdueOut(), UNCLAIMED_WAIT_MS).unref();
	}

	/** Of the first `bytes` held, how many pending claims already cover (they are taken off those claims). */
	private claimedAhead(bytes: number): number {
		let covered = 0;
		while (this.claims.length > 0 && covered < bytes) {
			const claim = this.claims[0]!;
			const take = Math.min(claim.bytes, bytes - covered);
			covered += take;
			claim.bytes -= take;
			// Its first bytes went out among these.
			claim.head = undefined;
			if (claim.bytes === 0) this.claims.shift();
		}
		return covered;
	}

	/** The first `bytes` held, as one chunk of time `t`. */
	private letOut(t: Ms, bytes: number): void {
		let taken = 0;
		const parts: Buffer[] = [];
		while (taken < bytes) {
			const first = this.arrived[0]!;
			const want = bytes - taken;
			if (first.bytes.length <= want) {
				parts.push(first.bytes);
				taken += first.bytes.length;
				this.arrived.shift();
			} else {
				parts.push(first.bytes.subarray(0, want));
				first.bytes = first.bytes.subarray(want);
				taken += want;
			}
		}
		this.held -= bytes;
		this.pass(t, this.decoder.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
	}

	private pass(t: Ms, chunk: OutputChunk | null): void {
		if (!chunk) return;
		// A claim may be met by a raw write's bytes that came first (a child sharing the pipe), and the rest of them go out later, unclaimed.
		this.latest = Math.max(this.latest, t);
		this.emit(this.latest, chunk);
	}
}
