import { closeSync, fsyncSync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckpointSettings } from './sqlite-checkpointer.js';

// The embedded store's checkpoint thread (sqlite-checkpointer.ts): a connection of its own that
// copies the WAL back into the database file every `intervalMs`. A PASSIVE checkpoint never waits
// for the writer or the readers: it copies what no reader still needs, after syncing the WAL
// (synchronous = NORMAL, as the store's own connection). When the WAL has grown to `finishFrames`
// it asks the store's connection to finish (the message 'finish', answered 'finished'): only a
// checkpoint that reaches the WAL's last frame lets the next commit start the WAL over, and under
// a steady stream of commits this thread's never does.

const { file, settings } = workerData as { file: string; settings: CheckpointSettings };
const db = new BetterSqlite3(file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

// A PASSIVE checkpoint that does not reach the WAL's end leaves the database file unsynced (SQLite
// syncs it only before the WAL may start over): left to the store's connection, that one fsync
// covered every page this thread had copied since the WAL last started over, 70 to 280 ms on the
// event loop with 1,000,000 token families (strace, bench/store-rotation.mjs). So this thread
// syncs the database file after each of its checkpoints, and before asking the store's connection
// to finish it checkpoints again at once, each pass copying only what was committed during the one
// before: the event loop is left a short copy and the fsync of that alone.
const FINISH_REMAINDER_FRAMES = 500;
const MAX_CATCH_UP_PASSES = 4;
const database = openSync(file, 'r');

let synced = { log: -1, checkpointed: -1 };
/** One checkpoint, and the database file's fsync if it copied anything; the WAL's length in frames. */
function checkpointAndSync(): number {
  const { log, checkpointed } = checkpoint.get() as { busy: number; log: number; checkpointed: number };
  // Nothing copied since the last sync (an idle store, or readers holding every frame back): no
  // fsync. A shorter log than at the last sync is a WAL that started over since.
  if (checkpointed > 0 && (checkpointed !== synced.checkpointed || log < synced.log)) {
    fsyncSync(database);
    synced = { log, checkpointed };
  }
  return log;
}

// While the store's connection finishes, this thread leaves the checkpoint lock to it.
let finishing = false;
const timer = setInterval(() => {
  if (finishing) return;
  let log = checkpointAndSync();
  if (log < settings.finishFrames) return;
  for (let pass = 0; pass < MAX_CATCH_UP_PASSES; pass++) {
    const before = log;
    log = checkpointAndSync();
    if (log - before <= FINISH_REMAINDER_FRAMES) break;
  }
  finishing = true;
  parentPort?.postMessage('finish');
}, settings.intervalMs);

parentPort?.on('message', (message) => {
  if (message === 'finished') {
    finishing = false;
    return;
  }
  clearInterval(timer);
  closeSync(database);
  db.close();
  parentPort?.close();
});
