import { randomBytes, randomUUID } from 'node:crypto';
import { hashTokenValue, newTokenValue } from '../../src/domain/token-values.js';
import type { Application, Subscription, TokenFamily, User } from '../../src/store/store.js';
import type { ManagementHarness } from './management-fixtures.js';

// A fresh set of records for one test case: another user with a live login, and an application
// owned by `ownerId` with a pending trusted subscription to "orders" (group partners).

export interface World {
  readonly target: User;
  readonly application: Application;
  readonly subscription: Subscription;
  readonly family: TokenFamily;
}

export async function makeWorld(h: ManagementHarness, ownerId: string, options: { status?: Subscription['status'] } = {}): Promise<World> {
  const { store } = h;
  const now = h.now();
  const target = await store.users.create({ authMethod: 'local', email: `target-${randomBytes(4).toString('hex')}@example.com` }, now);
  const application = await store.applications.create({ name: 'App', clientType: 'confidential', ownerIds: [ownerId] }, now);
  const subscription = await store.subscriptions.create(
    {
      applicationId: application.id,
      apiId: 'orders',
      plan: 'basic',
      trusted: true,
      status: options.status ?? 'pending',
      clientId: randomBytes(8).toString('hex'),
      clientSecretHash: hashTokenValue(newTokenValue()),
    },
    now,
  );
  const family = await store.tokens.createFamily(
    {
      id: randomUUID(),
      subscriptionId: subscription.id,
      applicationId: application.id,
      apiId: 'orders',
      authMethod: 'local',
      userId: target.id,
      scope: 'orders:read',
      createdAt: now,
      expiresAt: now + 3_600_000,
    },
    {
      accessToken: { hash: hashTokenValue(newTokenValue()), expiresAt: now + 600_000 },
      refreshToken: { hash: hashTokenValue(newTokenValue()), expiresAt: now + 3_600_000 },
    },
  );
  return { target, application, subscription, family };
}
