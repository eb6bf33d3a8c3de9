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

export interface Lockouts {
  readonly accounts: readonly LockedAccount[];
  readonly addresses: readonly ThrottledAddress[];
}

export async function listLockouts(context: ManagementContext, throttle: LoginThrottle, limit = MAX_LISTED): Promise<Lockouts> {
  requireAdmin(context.actor, 'see locked accounts and throttled addresses');
  const bounded = Math.min(Math.max(1, limit), MAX_LISTED);
  return {
    accounts: await throttle.lockedAccounts(context.now, bounded),
    addresses: await throttle.throttledAddresses(context.now, bounded),
  };
}

export async function releaseLockedAccount(context: ManagementContext, throttle: LoginThrottle, authMethodId: string, username: string): Promise<void> {
  requireAdmin(context.actor, 'release a locked account');
  if (!(await throttle.releaseAccount(authMethodId, username))) throw notFound(`failed sign-ins of "${username}" (${authMethodId})`);
  await context.store.audit.record({ ...auditBase(context, LOCKOUT_EVENT.accountReleased), details: { authMethod: authMethodId, username } });
}

export async function releaseThrottledAddress(context: ManagementContext, throttle: LoginThrottle, address: string): Promise<void> {
  requireAdmin(context.actor, 'release a throttled address');
  if (!(await throttle.releaseAddress(address))) throw notFound(`failed sign-ins from ${address}`);
  await context.store.audit.record({ ...auditBase(context, LOCKOUT_EVENT.addressReleased), details: { address } });
}
