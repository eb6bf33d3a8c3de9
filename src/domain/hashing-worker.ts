import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { workerData } from 'node:worker_threads';
import { hashSync, verifySync, type Options } from '@node-rs/argon2';

// One thread of the password-hashing pool (hashing-pool.ts). It lowers its own OS scheduling
// priority first: on Linux, setpriority(PRIO_PROCESS, 0) names the calling thread only, so the
// event loop keeps its priority and the kernel hands this thread only the CPU nobody else wants.
// Hashing is synchronous here: this thread has nothing else to do.

const { niceIncrement, idleScheduling } = workerData as { niceIncrement: number; idleScheduling: boolean };
if (niceIncrement > 0) {
  try {
    os.setPriority(Math.min(19, os.getPriority() + niceIncrement));
  } catch {
    // Not permitted on this platform: hashing still works, at normal priority.
  }
}
// A nice level only weighs the share of CPU: a request-path thread that wakes (the event loop,
// PostgreSQL's backend, the upstream) may still wait for a niced hashing thread to finish its
// time slice, milliseconds at a time. Under SCHED_IDLE the kernel preempts it at once (sched(7)).
// Node has no call for sched_setscheduler, so util-linux's chrt sets it on this thread's id.
if (idleScheduling && process.platform === 'linux') {
  try {
    const threadId = readlinkSync('/proc/thread-self').split('/').pop() ?? '';
    execFileSync('chrt', ['--idle', '--pid', '0', threadId], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // No chrt, or not permitted: the nice level above still applies.
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
