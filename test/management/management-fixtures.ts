import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Gatehouse } from '../../src/gatehouse.js';
import { PORTAL_CLIENT_ID } from '../../src/domain/portal-sign-in.js';
import type { Store, User } from '../../src/store/store.js';
import { minimalConfig } from '../support/config-files.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { fastHasher } from '../support/oauth-fixtures.js';

// The management tests' world: two groups with an API each, users in every role, signed in
// through the built-in portal client exactly as the CLI and the portal do.

export const SIGN_IN_URL = '/auth/local/api/gatehouse-portal/token';

export function managementRawConfig(): Record<string, unknown> {
  const raw = minimalConfig();
  raw.groups = [
    { id: 'partners', name: 'Partners' },
    { id: 'internal', name: 'Internal' },
  ];
  // The minimal config's `orders` API (group partners), with a scope and a plan that needs approval.
  const [orders] = raw.apis as Record<string, unknown>[];
  raw.apis = [
    {
      ...orders,
      scopes: [{ id: 'orders:read' }],
      plans: [
        { id: 'basic', name: 'Basic', requiresApproval: false },
        { id: 'gold', name: 'Gold', requiresApproval: true },
      ],
    },
    { id: 'billing', name: 'Billing', pathPrefix: '/billing', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'], group: 'internal' },
  ];
  return raw;
}

/** What an approver decides on for a trusted subscription of the default plan (issue 13 item 5). */
export const TRUSTED_BASIC = { trusted: true, plan: 'basic' } as const;

export interface Person {
  readonly user: User;
  readonly login: string;
  readonly password: string;
  /** A management access token, from the built-in client's password grant. */
  readonly token: string;
}

export interface ManagementHarness {
  readonly gatehouse: Gatehouse;
  readonly store: Store;
  now(): number;
  advance(ms: number): void;
  /** A local user with the given roles, signed in. */
  person(roles?: { admin?: boolean; approverOf?: string[]; groups?: string[]; name?: string }): Promise<Person>;
  signIn(login: string, password: string): Promise<LightMyRequestResponse>;
  call(token: string | null, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
}

export async function startManagement(raw: Record<string, unknown> = managementRawConfig()): Promise<ManagementHarness> {
  let clock = Date.now();
  const passwords = fastHasher();
  const gatehouse = await startTestGatehouse(testConfig(raw), { passwords, now: () => clock });
  const store = gatehouse.services.store;
  const signIn = (login: string, password: string) =>
    gatehouse.portalServer.inject({
      method: 'POST',
      url: SIGN_IN_URL,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'password', client_id: PORTAL_CLIENT_ID, username: login, password }).toString(),
    });
  return {
    gatehouse,
    store,
    now: () => clock,
    advance: (ms) => (clock += ms),
    signIn,
    async person(roles = {}) {
      const login = `${roles.name ?? 'user'}-${randomBytes(4).toString('hex')}@example.com`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const user = await store.users.create(
        {
          authMethod: 'local',
          email: login,
          passwordHash: await passwords.hash(password),
          admin: roles.admin ?? false,
          approverOf: roles.approverOf ?? [],
          groups: roles.groups ?? [],
        },
        clock,
      );
      const response = await signIn(login, password);
      if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
      return { user, login, password, token: (response.json() as { access_token: string }).access_token };
    },
    call(token, method, url, body) {
      return gatehouse.portalServer.inject({
        method: method as 'GET',
        url,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
      });
    },
  };
}
