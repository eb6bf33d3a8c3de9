import type { Config } from '../../config/config.js';
import type { Store, User } from '../../store/store.js';
import type { PasswordHasher } from '../passwords.js';

// What every management use case is given: the store and config, the clock reading for this
// request, and who is asking from where (the audit log records both).

export interface ManagementContext {
  readonly store: Store;
  readonly config: Pick<Config, 'apis' | 'authMethods' | 'groups'>;
  readonly passwords: PasswordHasher;
  readonly now: number;
  /** The signed-in user, as stored now (not as when the token was issued). */
  readonly actor: User;
  readonly ip: string | null;
}

/** The audit fields every management event shares. */
export function auditBase(context: ManagementContext, type: string) {
  return { type, at: context.now, actorUserId: context.actor.id, ip: context.ip } as const;
}
