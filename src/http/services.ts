import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { PasswordHasher } from '../domain/passwords.js';
import type { Store } from '../store/store.js';

/** What the HTTP layer is given by the composition root (src/gatehouse.ts). */
export interface Services {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly passwords: PasswordHasher;
  /** null: single-process mode, shared state in memory. */
  readonly redis: Redis | null;
  /** The clock, injectable so that tests of expiry and lockout need no sleeps. */
  readonly now: () => number;
}
