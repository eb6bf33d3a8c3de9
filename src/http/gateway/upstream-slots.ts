// One API's upstream pool, handed out as slots so that no request waits on it unbounded and no
// subscription takes all of it. A slot is one upstream request in flight; there are as many as
// the pool has connections, so the proxy library never queues behind them. Per process: each
// Gatehouse process has its own pool.

export interface Waiter {
  readonly grant: (granted: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

export class UpstreamSlots {
  #inFlight = 0;
  readonly #shares = new Map<string, number>();
  readonly #queue: Waiter[] = [];

  readonly capacity: number;
  /** Milliseconds a request may wait for a free slot. */
  readonly waitTimeoutMs: number;

  constructor(capacity: number, waitTimeoutMs: number) {
    this.capacity = capacity;
    this.waitTimeoutMs = waitTimeoutMs;
  }

  /** Takes one of the subscription's `maxConcurrent` shares; false when it holds them all. */
  claimShare(subscriptionId: string, maxConcurrent: number): boolean {
    const held = this.#shares.get(subscriptionId) ?? 0;
    if (held >= maxConcurrent) return false;
    this.#shares.set(subscriptionId, held + 1);
    return true;
  }

  releaseShare(subscriptionId: string): void {
    const held = this.#shares.get(subscriptionId) ?? 0;
    if (held <= 1) this.#shares.delete(subscriptionId);
    else this.#shares.set(subscriptionId, held - 1);
  }

  /** A free slot at once, or false (then wait with `queue`). */
  tryTake(): boolean {
    if (this.#inFlight >= this.capacity) return false;
    this.#inFlight += 1;
    return true;
  }

  /** Waits (first come, first served) for a slot: `grant(true)` with it, `grant(false)` on timeout. */
  queue(grant: (granted: boolean) => void): Waiter {
    const waiter: Waiter = { grant, timer: undefined };
    if (this.waitTimeoutMs === 0) {
      grant(false);
      return waiter;
    }
    waiter.timer = setTimeout(() => {
      this.cancel(waiter);
      grant(false);
    }, this.waitTimeoutMs);
    this.#queue.push(waiter);
    return waiter;
  }

  /** The waiter gave up (its client went away). */
  cancel(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const index = this.#queue.indexOf(waiter);
    if (index >= 0) this.#queue.splice(index, 1);
  }

  /** A slot is free again: to the longest waiter, if any. */
  release(): void {
    const next = this.#queue.shift();
    if (next === undefined) {
      this.#inFlight -= 1;
      return;
    }
    clearTimeout(next.timer);
    next.grant(true);
  }

  get inFlight(): number {
    return this.#inFlight;
  }
}
