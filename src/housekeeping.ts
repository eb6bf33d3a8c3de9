import type { Logger } from 'pino';
import type { Store } from './store/store.js';

// Expired and revoked logins are dead weight: nothing can use them, and the token tables are the
// ones that grow. Every process sweeps on its own schedule; the deletes are idempotent.

export const HOUSEKEEPING_INTERVAL_MS = 10 * 60 * 1000; // 10 minutes

export function startHousekeeping(store: Store, logger: Logger, now: () => number, intervalMs = HOUSEKEEPING_INTERVAL_MS): () => void {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = (await store.tokens.deleteExpired(now())) + (await store.authorizations.deleteExpired(now()));
      if (deleted > 0) logger.info({ deleted }, 'deleted expired tokens');
    } catch (error) {
      logger.warn({ err: error }, 'token housekeeping failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
