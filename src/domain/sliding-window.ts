// A sliding window of requests, cut into slices: the reference of the algorithm that
// shared-state/redis-rate-counter.ts runs as a Lua script (keep the two in step).
//
// Why a sliding window and not GCRA: GCRA (a token bucket) that allows a burst of `limit` lets
// nearly 2 × limit through in the first period after an idle spell — the burst that fixed
// windows give at a boundary, which is what a plan's limit must rule out. An exact sliding log
// keeps one timestamp per request (20,000 for a perHour of 20,000). Slices keep at most
// SLICES + 1 counters (only the non-empty ones are stored) and stay exact in the direction that
// matters: the slice in which the window's start falls counts whole, so no period ever holds
// more than `limit` admitted requests; the price is that a request's slot comes back up to one
// slice (period / SLICES) late.

export const SLICES = 50; // per period: 20 ms of a second, 1.2 s of a minute, 72 s of an hour

export interface WindowCount {
  /** Requests counted at `now`, before the one being decided. */
  readonly used: number;
  /** Whole milliseconds until one more request fits; 0 when it fits now. */
  readonly freeInMs: number;
}

/** Milliseconds until every request counted up to `now` has left the window. */
export function drainedInMs(periodMs: number, now: number): number {
  const width = periodMs / SLICES;
  return (Math.floor(now / width) + SLICES + 1) * width - now;
}

/** One window: the non-empty slices (slice = floor(time / width)), oldest first. */
export class SlidingWindow {
  readonly #index: number[] = [];
  readonly #count: number[] = [];

  /** What the window holds at `now`. */
  read(limit: number, periodMs: number, now: number): WindowCount {
    const width = periodMs / SLICES;
    const oldest = Math.floor(now / width) - SLICES;
    let used = 0;
    for (let i = 0; i < this.#index.length; i += 1) if (this.#index[i]! >= oldest) used += this.#count[i]!;
    if (used < limit) return { used, freeInMs: 0 };
    // Full: a request fits once enough of the oldest slices have left.
    let left = used;
    for (let i = 0; i < this.#index.length; i += 1) {
      if (this.#index[i]! < oldest) continue;
      left -= this.#count[i]!;
      if (left <= limit - 1) return { used, freeInMs: Math.ceil((this.#index[i]! + SLICES + 1) * width - now) };
    }
    return { used, freeInMs: Math.ceil(drainedInMs(periodMs, now)) }; // unreachable: an empty window has room
  }

  /** Counts one request at `now`, and forgets the slices that have left the window. */
  add(periodMs: number, now: number): void {
    const current = Math.floor(now / (periodMs / SLICES));
    let stale = 0;
    while (stale < this.#index.length && this.#index[stale]! < current - SLICES) stale += 1;
    if (stale > 0) {
      this.#index.splice(0, stale);
      this.#count.splice(0, stale);
    }
    // Usually the newest slice or a new one after it; earlier only if the clock went back.
    let at = this.#index.length;
    while (at > 0 && this.#index[at - 1]! >= current) at -= 1;
    if (this.#index[at] === current) {
      this.#count[at]! += 1;
    } else {
      this.#index.splice(at, 0, current);
      this.#count.splice(at, 0, 1);
    }
  }
}
