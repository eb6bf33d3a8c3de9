import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/config.js';
import { hashTokenValue } from '../../src/domain/token-values.js';
import {
  createClient,
  createUser,
  fastHasher,
  passwordLogin,
  postgresConfig,
  refresh,
  sqliteConfig,
  startOAuthGatehouse,
  type OAuthHarness,
} from '../support/oauth-fixtures.js';

// RFC 9700 §4.14.2 needs a refresh token to be consumed exactly once, however many requests race
// for it. 20 concurrent refreshes of one token: one pair comes back, 19 invalid_grant. On
// PostgreSQL the 20 are split over two Gatehouse instances with their own connection pools, as
// two processes behind a load balancer would be.

const PARALLEL = 20;

async function race(instances: readonly OAuthHarness[]) {
  const [first] = instances;
  assert.ok(first);
  const client = await createClient(first);
  const user = await createUser(first);
  const tokens = await passwordLogin(first, client, user.login, user.password);
  const responses = await Promise.all(
    Array.from({ length: PARALLEL }, (_, i) => refresh(instances[i % instances.length] as OAuthHarness, client, tokens.refresh_token)),
  );
  const statuses = responses.map((r) => r.statusCode);
  assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
  assert.equal(statuses.filter((s) => s === 400).length, PARALLEL - 1, `statuses: ${statuses.join(',')}`);
  for (const response of responses.filter((r) => r.statusCode === 400)) {
    assert.equal((response.json() as { error: string }).error, 'invalid_grant');
  }
  const consumed = await first.store.tokens.findRefreshToken(hashTokenValue(tokens.refresh_token));
  const winner = responses.find((r) => r.statusCode === 200)?.json() as { refresh_token: string };
  assert.equal(consumed?.replacedBy, hashTokenValue(winner.refresh_token), 'the one success is the one the store recorded');
}

async function start(config: Config, count: number): Promise<OAuthHarness[]> {
  const passwords = fastHasher();
  const instances: OAuthHarness[] = [];
  for (let i = 0; i < count; i += 1) instances.push(await startOAuthGatehouse({ config, passwords }));
  return instances;
}

describe('concurrent refreshes of one token', () => {
  it(`SQLite: ${PARALLEL} in parallel → exactly one success`, async () => {
    await race(await start(sqliteConfig(), 1));
  });

  const postgres = postgresConfig();
  it(`PostgreSQL, two instances: ${PARALLEL} in parallel → exactly one success`, { skip: postgres ? false : 'DATABASE_URL not set' }, async () => {
    await race(await start(postgres as Config, 2));
  });
});
