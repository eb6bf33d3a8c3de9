import { auditBase, type ManagementContext } from '../management/management-context.js';
import { notFound } from '../management/management-error.js';
import { requireAdmin } from '../management/permissions.js';
import type { LockedAccount, LoginThrottle, ThrottledAddress } from './login-throttle.js';

// The admin view of brute-force protection, as management use cases: who is locked out now,
// and lifting a lock early (a user who mistyped, an office behind one address). Admins only; a
// release is audited, because it hands an attacker a fresh allowance of guesses.

export const LOCKOUT_EVENT = {
  accountReleased: 'lockout.account_released',
  addressReleased: 'lockout.address_released',
} as const;

const MAX_LISTED = 1000;

/** One entry per account: the name shown is the account's (username, else email), or the name tried. */
export interface LockedAccountView extends LockedAccount {
  readonly username: string;
}

export interface Lockouts {
  readonly accounts: readonly LockedAccountView[];
  readonly addresses: readonly ThrottledAddress[];
}

export async function listLockouts(context: ManagementContext, throttle: LoginThrottle, limit = MAX_LISTED): Promise<Lockouts> {
  requireAdmin(context.actor, 'see locked accounts and throttled addresses');
  const bounded = Math.min(Math.max(1, limit), MAX_LISTED);
  const accounts = await Promise.all(
    (await throttle.lockedAccounts(context.now, bounded)).map(async (account): Promise<LockedAccountView> => {
      if (account.userId === null) return { ...account, username: account.username ?? '' };
      const user = await context.store.users.findById(account.userId);
      return { ...account, username: user?.username ?? user?.email ?? account.userId };
    }),
  );
  return {
    accounts,
    addresses: await throttle.throttledAddresses(context.now, bounded),
  };
}

/** The account a name (or a user id) reaches in an auth method, as the password grant resolves it. */
async function accountOf(context: ManagementContext, authMethodId: string, name: string): Promise<string | null> {
  const byId = await context.store.users.findById(name);
  if (byId && byId.authMethod === authMethodId) return byId.id;
  const method = context.config.authMethods.find((candidate) => candidate.id === authMethodId);
  if (method?.kind !== 'local') return null;
  return (await context.store.users.findLocalByLogin(name))?.id ?? null;
}

/** `username`: any name of the account (username, email, user id), or the unknown name that was tried. */
export async function releaseLockedAccount(context: ManagementContext, throttle: LoginThrottle, authMethodId: string, username: string): Promise<void> {
  requireAdmin(context.actor, 'release a locked account');
  const userId = await accountOf(context, authMethodId, username);
  if (!(await throttle.releaseAccount(authMethodId, username, userId))) throw notFound(`failed sign-ins of "${username}" (${authMethodId})`);
  await context.store.audit.record({ ...auditBase(context, LOCKOUT_EVENT.accountReleased), userId, details: { authMethod: authMethodId, username } });
}

export async function releaseThrottledAddress(context: ManagementContext, throttle: LoginThrottle, address: string): Promise<void> {
  requireAdmin(context.actor, 'release a throttled address');
  if (!(await throttle.releaseAddress(address))) throw notFound(`failed sign-ins from ${address}`);
  await context.store.audit.record({ ...auditBase(context, LOCKOUT_EVENT.addressReleased), details: { address } });
}
