import type { RateCounter, RateWindow } from '../domain/rate-limit.js';
import { SlidingWindow, type WindowCount } from '../domain/sliding-window.js';
import { growingLru } from './growing-lru.js';

// Rate-limit windows of a single process: the default without Redis, and the fallback while
// Redis is away. Node runs this synchronously, so check-and-count is atomic as it is in Redis.
// The LRU bound keeps a flood of subscriptions and users from growing memory without limit (a
// window holds at most SLICES + 1 slices, under 1 KB); a window forgotten early only forgets
// requests, it never refuses one.

const MAX_WINDOWS = 100_000;

export class MemoryRateCounter implements RateCounter {
  readonly #windows = growingLru<string, SlidingWindow>(MAX_WINDOWS);

  async admit(group: string, windows: readonly RateWindow[], now: number): Promise<readonly WindowCount[]> {
    const slides = windows.map(({ key }) => {
      const name = `${group}:${key}`;
      let slide = this.#windows.get(name);
      if (slide === undefined) {
        slide = new SlidingWindow();
        this.#windows.set(name, slide);
      }
      return slide;
    });
    const counts = windows.map((window, i) => slides[i]!.read(window.limit, window.periodMs, now));
    if (counts.every((count, i) => count.used < windows[i]!.limit)) {
      windows.forEach((window, i) => slides[i]!.add(window.periodMs, now));
    }
    return counts;
  }
}
