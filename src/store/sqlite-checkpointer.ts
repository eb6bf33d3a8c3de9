import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

// Checkpoints off the event loop (issue 12). A checkpoint copies the WAL's pages back into the
// database file and then fsyncs both files: 5 to 40 ms on this kind of machine, longer for a
// larger WAL. Run by the connection that commits (SQLite's auto-checkpoint), it stalled every
// request queued on the event loop behind that commit: under a password flood the gateway's p99
// was about 10x its idle p99 on SQLite, against 3x on PostgreSQL, and the stalls were the fsyncs
// (strace: 27 ms for the WAL's). Here the store's connection does not checkpoint on its own
// (wal_autocheckpoint = 0); a worker thread with a connection of its own does the copying and the
// long fsyncs (sqlite-checkpoint-worker.ts). A checkpoint that runs beside the writer never quite
// catches up with it, and the WAL starts over only after one that did: left alone the WAL grew
// by 3 GB in 18 s of refreshes. So once the WAL is long, the thread asks the store's connection
// to finish: a checkpoint of what came in during the thread's last, a few hundred pages, and
// their fsync, on the event loop. The thread starts once the WAL has grown past `startBytes`,
// which most stores a test opens never reach (a thread costs tens of milliseconds of CPU to
// start). If it fails, the store's connection checkpoints again as it used to.

export interface CheckpointSettings {
  /** The WAL's size at which the thread starts. */
  readonly startBytes: number;
  readonly intervalMs: number;
  /** The WAL's length in frames (pages) at which the store's connection finishes a checkpoint. */
  readonly finishFrames: number;
}

export const DEFAULT_CHECKPOINT_SETTINGS: CheckpointSettings = {
  startBytes: 4 * 1024 * 1024, // SQLite's own auto-checkpoint size: 1,000 pages of 4 KiB
  intervalMs: 500,
  finishFrames: 10_000, // the WAL at most ~40 MB, as with the auto-checkpoint this replaces
};

/** The auto-checkpoint that comes back if the thread fails: a checkpoint copies a page once however often it changed. */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

// The worker is sqlite-checkpoint-worker.js when built, .ts when run from source.
const here = fileURLToPath(import.meta.url);
const WORKER = path.join(path.dirname(here), `sqlite-checkpoint-worker${path.extname(here)}`);

export interface Checkpointer {
  close(): Promise<void>;
}

export function startCheckpointer(
  sqlite: BetterSqlite3.Database,
  file: string,
  onWarning: ((message: string, details: Readonly<Record<string, unknown>>) => void) | undefined,
  settings: CheckpointSettings = DEFAULT_CHECKPOINT_SETTINGS,
): Checkpointer {
  sqlite.pragma('wal_autocheckpoint = 0');
  let worker: Worker | null = null;
  let failed = false;
  let closed = false;
  let exited: Promise<unknown> = Promise.resolve();

  const fallBack = (error: unknown) => {
    worker = null;
    failed = true;
    clearInterval(watch);
    if (!sqlite.open) return; // the process is ending
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    onWarning?.('the checkpoint thread failed: the store checkpoints on the event loop again', { error: (error as Error)?.message ?? String(error) });
  };
  const start = () => {
    clearInterval(watch);
    let thread: Worker;
    try {
      thread = new Worker(WORKER, { workerData: { file, settings } });
    } catch (error) {
      fallBack(error);
      return;
    }
    worker = thread;
    thread.unref();
    let lastError: unknown = null;
    thread.on('error', (error) => {
      lastError = error;
    });
    thread.on('message', () => {
      // Not inside a transaction (a Kysely one spans turns): the thread asks again next time.
      if (!closed && !sqlite.inTransaction) {
        try {
          sqlite.pragma('wal_checkpoint(PASSIVE)');
        } catch {
          // The thread asks again while the WAL stays long.
        }
      }
      thread.postMessage('finished');
    });
    exited = new Promise<number>((resolve) => thread.once('exit', resolve)).then((code) => {
      if (!closed) fallBack(lastError ?? new Error(`the checkpoint thread exited with code ${code}`));
    });
  };
  const watch = setInterval(() => {
    stat(`${file}-wal`).then(
      (wal) => {
        if (wal.size >= settings.startBytes && !worker && !failed && !closed) start();
      },
      () => {}, // no WAL yet
    );
  }, settings.intervalMs);
  watch.unref();

  return {
    async close() {
      closed = true;
      clearInterval(watch);
      // An unref'd thread would not keep the process alive until it has closed its connection.
      worker?.ref();
      worker?.postMessage('close');
      await exited;
    },
  };
}
