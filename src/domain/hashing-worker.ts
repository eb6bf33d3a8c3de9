import os from 'node:os';
import { workerData } from 'node:worker_threads';
import { hashSync, verifySync, type Options } from '@node-rs/argon2';

// One thread of the password-hashing pool (hashing-pool.ts). It lowers its own OS scheduling
// priority first: on Linux, setpriority(PRIO_PROCESS, 0) names the calling thread only, so the
// event loop keeps its priority and the kernel hands this thread only the CPU nobody else wants.
// Hashing is synchronous here: this thread has nothing else to do.

const { niceIncrement } = workerData as { niceIncrement: number };
if (niceIncrement > 0) {
  try {
    os.setPriority(Math.min(19, os.getPriority() + niceIncrement));
  } catch {
    // Not permitted on this platform: hashing still works, at normal priority.
  }
}

export type HashingTask =
  | { readonly kind: 'hash'; readonly password: string; readonly options: Options }
  | { readonly kind: 'verify'; readonly storedHash: string; readonly password: string };

export default function hashingTask(task: HashingTask): string | boolean {
  if (task.kind === 'hash') return hashSync(task.password, task.options);
  try {
    return verifySync(task.storedHash, task.password);
  } catch {
    return false; // a malformed stored hash matches nothing
  }
}
