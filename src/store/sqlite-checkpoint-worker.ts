import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckpointSettings } from './sqlite-checkpointer.js';

// The embedded store's checkpoint thread (sqlite-checkpointer.ts): a connection of its own that
// copies the WAL back into the database file every `intervalMs`. A PASSIVE checkpoint never waits
// for the writer or the readers: it copies what no reader still needs. The fsyncs that end it
// (synchronous = NORMAL, as the store's own connection) block this thread only. When the WAL has
// grown to `finishFrames` it asks the store's connection to finish (the message 'finish', answered
// 'finished'): only a checkpoint that reaches the WAL's last frame lets the next commit start the
// WAL over, and under a steady stream of commits this thread's never does.

const { file, settings } = workerData as { file: string; settings: CheckpointSettings };
const db = new BetterSqlite3(file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
// While the store's connection finishes, this thread leaves the checkpoint lock to it.
let finishing = false;
const timer = setInterval(() => {
  if (finishing) return;
  const { log } = checkpoint.get() as { busy: number; log: number; checkpointed: number };
  if (log >= settings.finishFrames) {
    finishing = true;
    parentPort?.postMessage('finish');
  }
}, settings.intervalMs);

parentPort?.on('message', (message) => {
  if (message === 'finished') {
    finishing = false;
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
