import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiConfig } from '../../src/config/config.js';
import type { CredentialCheck } from '../../src/domain/auth-methods/credential-verifier.js';
import type { AuthenticatedClient } from '../../src/domain/client-authentication.js';
import type { GrantContext } from '../../src/domain/grants/grant.js';
import { passwordGrant } from '../../src/domain/grants/password-grant.js';
import { LoginThrottle } from '../../src/domain/brute-force/login-throttle.js';
import { OAuthError } from '../../src/domain/oauth-error.js';
import { SILENT_LOG } from '../../src/domain/operator-log.js';
import { MemoryFailureCounters } from '../../src/shared-state/memory-failure-counters.js';
import type { NewAuditEvent, TokenStore, User } from '../../src/store/store.js';

// The password grant handler on its own, with fakes: what it does with the request's parameters.

const api = { id: 'orders', accessTokenLifetime: 60, refreshTokenIdleLifetime: 600, sessionLifetime: 3600, refreshGraceSeconds: 0, scopes: [] } as unknown as ApiConfig;
const client = {
  clientId: 'c1',
  method: 'none',
  subscription: { id: 's1', apiId: 'orders', applicationId: 'a1', trusted: true, status: 'approved' },
  application: { id: 'a1', clientType: 'public' },
} as unknown as AuthenticatedClient;

const POLICY = { failuresAllowed: 5, waitIncrementMs: 60_000, maxWaitMs: 900_000, failureResetMs: 43_200_000 };

function context(check: CredentialCheck, seen: { password?: string; audit: NewAuditEvent[] }): GrantContext {
  return {
    api,
    authMethodId: 'local',
    client,
    parameters: new Map([
      ['username', 'ann'],
      ['password', 'hunter2-hunter2'],
    ]),
    now: 1_000_000,
    ip: '127.0.0.1',
    loginThrottle: new LoginThrottle(new MemoryFailureCounters(), { accounts: POLICY, addresses: POLICY }, SILENT_LOG),
    verifier: {
      authMethodId: 'local',
      verify: async (_username, password) => {
        seen.password = password;
        return check;
      },
    },
    store: {
      tokens: { createFamily: async (family: { id: string }) => family } as unknown as TokenStore,
      users: { findById: async () => null },
      authorizations: { redeemCode: async () => ({ outcome: 'unknown' }) },
      audit: { record: async (event: NewAuditEvent) => (seen.audit.push(event), event as never) },
    },
  };
}

describe('the password grant handler', () => {
  it('hands the password to the verifier, then deletes it from the request (accepted)', async () => {
    const seen: { password?: string; audit: NewAuditEvent[] } = { audit: [] };
    const ctx = context({ outcome: 'accepted', user: { id: 'u1' } as User }, seen);
    const response = await passwordGrant.handler(ctx);
    assert.equal(seen.password, 'hunter2-hunter2');
    assert.equal(ctx.parameters.has('password'), false);
    assert.equal(response.expires_in, 60);
    assert.equal('scope' in response, false);
    assert.doesNotMatch(JSON.stringify(seen.audit), /hunter2/);
  });

  it('deletes it when the credentials are rejected too', async () => {
    const seen: { password?: string; audit: NewAuditEvent[] } = { audit: [] };
    const ctx = context({ outcome: 'rejected' }, seen);
    await assert.rejects(passwordGrant.handler(ctx), (error: unknown) => error instanceof OAuthError && error.code === 'invalid_grant');
    assert.equal(ctx.parameters.has('password'), false);
  });

  it('an auth method that cannot answer is temporarily_unavailable, never a token', async () => {
    const seen: { password?: string; audit: NewAuditEvent[] } = { audit: [] };
    const ctx = context({ outcome: 'unavailable', reason: 'timed out' }, seen);
    await assert.rejects(passwordGrant.handler(ctx), (error: unknown) => error instanceof OAuthError && error.code === 'temporarily_unavailable');
    // One audit row per outage is the verifier's (outage-reporting.ts), not one per refused sign-in.
    assert.deepEqual(seen.audit, []);
  });
});
