import type { LightMyRequestResponse } from 'fastify';
import type { LogCapture } from '../support/gatehouse-instance.js';
import { testConfig } from '../support/gatehouse-instance.js';
import { createClient, createUser, passwordLogin, startOAuthGatehouse, type OAuthHarness, type TestClient } from '../support/oauth-fixtures.js';
import { bearer, gatewayRawConfig, startUpstream, type GatewayHarness } from './gateway-harness.js';

// The gateway of gateway-harness.ts with extra plans on the `orders` API, and sessions whose
// subscription is on one of them. REDIS_URL in `env` points the counters at a Redis of the test's
// own (test/brute-force/redis-process.ts); otherwise they follow the environment.
// `redisTimeoutMs` defaults to 2 s, as in every test (test/support/gatehouse-instance.ts).

export interface PlanSpec {
  readonly id: string;
  readonly rateLimit: Record<string, unknown>;
}

export async function startRateLimitedGateway(
  plans: readonly PlanSpec[],
  options: { env?: NodeJS.ProcessEnv; logs?: LogCapture; redisTimeoutMs?: number } = {},
): Promise<GatewayHarness> {
  const upstream = await startUpstream();
  const raw = await gatewayRawConfig(upstream.url);
  const [orders] = raw.apis as [{ plans: object[] }];
  orders.plans.push(...plans.map((plan) => ({ id: plan.id, name: plan.id, rateLimit: plan.rateLimit })));
  raw.redis = { commandTimeoutMs: options.redisTimeoutMs ?? 2_000 };
  const config = testConfig(raw, options.env ?? {});
  const harness = await startOAuthGatehouse({ config, ...(options.logs ? { logs: options.logs } : {}) });
  return { ...harness, upstream, config };
}

/** A client of `orders` whose subscription is on `planId`. */
export async function clientOnPlan(harness: OAuthHarness, planId: string): Promise<TestClient> {
  const client = await createClient(harness);
  await harness.store.subscriptions.update(client.subscription.id, { plan: planId }, harness.now());
  return client;
}

/** A new user of `client`, signed in: its access token. */
export async function userToken(harness: OAuthHarness, client: TestClient): Promise<string> {
  const { login, password } = await createUser(harness);
  return (await passwordLogin(harness, client, login, password)).access_token;
}

export function callOrders(harness: OAuthHarness, token: string): Promise<LightMyRequestResponse> {
  return harness.gatehouse.publicServer.inject({ method: 'GET', url: '/orders/limited', headers: bearer(token) });
}

/** Most requests admitted within any `periodMs` (the admissions' times, ascending). */
export function busiestWindow(admittedAt: readonly number[], periodMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < admittedAt.length; last += 1) {
    while ((admittedAt[last] as number) - (admittedAt[first] as number) >= periodMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
