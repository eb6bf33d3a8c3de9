import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from '@node-rs/argon2';
import { Piscina } from 'piscina';
import type { HashingTask } from './hashing-worker.js';

// Where password hashes run in a server: a few worker threads at a lower OS scheduling priority
// (hashing-worker.ts), fed from one bounded queue. argon2id is CPU-bound by design; on libuv's
// pool its threads compete with the event loop on equal terms, so a flood of sign-ins starves
// the gateway (issue 12). At a lower priority they take only the CPU the event loop leaves idle,
// and one thread per core still gives the password grant the whole machine when nothing else
// runs. Verifications beyond the queue's bound are refused at once (PasswordHashingBusy, which
// the token endpoint answers with 503 + Retry-After) instead of waiting without end.

export interface HashingPoolSettings {
  /** Worker threads; 0: one per core. */
  readonly threads: number;
  /** Verifications waiting for a thread beyond which new ones are refused. */
  readonly maxQueued: number;
  /** Added to the threads' nice value (Linux, 0–19); 0 keeps the event loop's priority. */
  readonly niceIncrement: number;
  /** SCHED_IDLE on Linux: any other thread that wakes preempts these at once. */
  readonly idleScheduling: boolean;
}

export const DEFAULT_HASHING_POOL: HashingPoolSettings = { threads: 0, maxQueued: 64, niceIncrement: 10, idleScheduling: true };

/** Too many password checks are waiting: try again after `retryAfterSeconds`. */
export class PasswordHashingBusy extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super('password hashing queue is full');
    this.name = 'PasswordHashingBusy';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** What passwords.ts needs of argon2id, wherever it runs. */
export interface Argon2Engine {
  hash(password: string, options: Options): Promise<string>;
  /** Rejects with PasswordHashingBusy when the engine is saturated. */
  verify(storedHash: string, password: string): Promise<boolean>;
}

export interface HashingPoolStats {
  readonly threads: number;
  readonly running: number;
  readonly queued: number;
  /** The most verifications that ever waited at once. */
  readonly peakQueued: number;
  readonly refused: number;
}

export interface HashingPool extends Argon2Engine {
  stats(): HashingPoolStats;
  close(): Promise<void>;
}

// The worker is hashing-worker.js when built, .ts when run from source (tests, through tsx).
const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), `hashing-worker${path.extname(fileURLToPath(import.meta.url))}`);

export function createHashingPool(settings: HashingPoolSettings = DEFAULT_HASHING_POOL): HashingPool {
  const threads = settings.threads > 0 ? settings.threads : os.availableParallelism();
  const pool = new Piscina({
    filename: WORKER,
    // Threads start with the first hash, not with the pool: a thread costs 0.3–0.5 s of CPU to
    // start, and most Gatehouses a test builds, and a process that only serves the gateway, never
    // hash. The first sign-in waits for its thread once (tens of milliseconds).
    minThreads: 0,
    maxThreads: threads,
    // Once started a thread stays. Infinity is Piscina's "never" (a finite timeout past a Node
    // timer's 2^31-1 ms fires after 1 ms, which would end every thread as soon as it is idle).
    idleTimeout: Infinity,
    workerData: { niceIncrement: settings.niceIncrement, idleScheduling: settings.idleScheduling },
    // The bound is checked before a task is queued (below); Piscina's own stays out of the way.
    maxQueue: Number.MAX_SAFE_INTEGER,
  });
  let running = 0;
  let peakQueued = 0;
  let refused = 0;
  let meanMs = 50; // a first guess of one verification's duration; corrected as they finish
  // Counted here, not by Piscina (whose queue also holds the tasks of threads still starting).
  const waiting = () => Math.max(0, running - threads);

  const run = async <T>(task: HashingTask): Promise<T> => {
    running += 1;
    const started = performance.now();
    try {
      const result = (await pool.run(task)) as T;
      meanMs = meanMs * 0.9 + (performance.now() - started) * 0.1;
      return result;
    } finally {
      running -= 1;
    }
  };

  return {
    // Hashing new passwords (user creation, password changes, rehash after sign-in) is rare and
    // comes from an admitted user: it waits its turn, unbounded.
    hash: (password, options) => run<string>({ kind: 'hash', password, options }),
    verify(storedHash, password) {
      const queued = waiting();
      if (queued >= settings.maxQueued) {
        refused += 1;
        // Roughly when the queue ahead will have drained, in whole seconds (RFC 9110 §10.2.3).
        const drainSeconds = Math.ceil(((queued + threads) * meanMs) / threads / 1000);
        return Promise.reject(new PasswordHashingBusy(Math.max(1, drainSeconds)));
      }
      const result = run<boolean>({ kind: 'verify', storedHash, password });
      peakQueued = Math.max(peakQueued, waiting());
      return result;
    },
    stats: () => ({ threads, running: Math.min(running, threads), queued: waiting(), peakQueued, refused }),
    close: () => pool.destroy(),
  };
}
