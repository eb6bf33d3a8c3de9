import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { listLockouts, releaseLockedAccount, releaseThrottledAddress } from '../../domain/brute-force/lockout-admin.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';

// /api/v1/lockouts: the admin view of brute-force protection — accounts locked and addresses
// throttled right now, and lifting a lock early (audited: a release hands out fresh guesses).

const Timestamp = Type.String({ format: 'date-time' });

const Lockouts = Type.Object({
  accounts: Type.Array(
    Type.Object({
      authMethodId: Type.String(),
      userId: Type.Union([Type.String(), Type.Null()], { description: 'the account; null for a name that reaches no account' }),
      username: Type.String({ description: 'the account’s username (else email), or the unknown name that was tried' }),
      failures: Type.Integer(),
      lockedUntil: Timestamp,
    }),
    { description: 'one entry per account, whatever names reached it' },
  ),
  addresses: Type.Array(Type.Object({ address: Type.String(), failures: Type.Integer(), lockedUntil: Timestamp })),
});

const AccountParams = Type.Object({
  authMethodId: Type.String({ minLength: 1, maxLength: 63 }),
  username: Type.String({ minLength: 1, maxLength: 320 }),
});

const AddressParams = Type.Object({ address: Type.String({ minLength: 1, maxLength: 64 }) });

const iso = (ms: number) => new Date(ms).toISOString();

export function lockoutRoutes(app: FastifyInstance, services: Services): void {
  addManagementRoute(app, services, {
    method: 'GET', url: '/lockouts', tag: 'lockouts', summary: 'Locked accounts and throttled addresses (admin)',
    response: Lockouts,
    handle: async (context) => {
      const { accounts, addresses } = await listLockouts(context, services.loginThrottle);
      return {
        accounts: accounts.map((a) => ({ ...a, lockedUntil: iso(a.lockedUntil) })),
        addresses: addresses.map((a) => ({ ...a, lockedUntil: iso(a.lockedUntil) })),
      };
    },
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/lockouts/accounts/:authMethodId/:username', tag: 'lockouts',
    summary: "Forget an account's failed sign-ins, lifting its lock (admin)",
    params: AccountParams,
    handle: (context, { params }) => releaseLockedAccount(context, services.loginThrottle, params.authMethodId, params.username),
  });
  addManagementRoute(app, services, {
    method: 'DELETE', url: '/lockouts/addresses/:address', tag: 'lockouts',
    summary: "Forget an address's failed sign-ins, lifting its throttle (admin)",
    params: AddressParams,
    handle: (context, { params }) => releaseThrottledAddress(context, services.loginThrottle, params.address),
  });
}
