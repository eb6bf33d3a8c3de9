import type { LightMyRequestResponse } from 'fastify';
import { clientParameters, oauthRawConfig, postForm, type OAuthHarness, type TestClient } from '../support/oauth-fixtures.js';

// Shared by the brute-force tests: a config with chosen lockout settings, a hasher that counts
// the password checks it makes, and one password-grant attempt.

export const MINUTE = 60_000; // ms
export const HOUR = 60 * MINUTE;

export function lockoutRawConfig(bruteForce: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...oauthRawConfig(), bruteForce, ...extra };
}

export { countingHasher } from '../support/oauth-fixtures.js';

export interface AttemptOptions {
  readonly url?: string;
  readonly remoteAddress?: string;
  readonly forwardedFor?: string;
}

export function attempt(
  harness: OAuthHarness,
  client: TestClient,
  username: string,
  password: string,
  options: AttemptOptions = {},
): Promise<LightMyRequestResponse> {
  if (options.remoteAddress === undefined && options.forwardedFor === undefined) {
    return postForm(harness, { grant_type: 'password', username, password, ...clientParameters(client) }, options.url ? { url: options.url } : {});
  }
  return harness.gatehouse.publicServer.inject({
    method: 'POST',
    url: options.url ?? '/auth/local/api/orders/token',
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {}),
    },
    payload: new URLSearchParams({ grant_type: 'password', username, password, ...clientParameters(client) }).toString(),
  });
}

/** What a client can observe of a refusal: status, body and the headers that are not per-request. */
export function observable(response: LightMyRequestResponse): unknown {
  const { date: _date, 'content-length': _length, connection: _connection, ...headers } = response.headers;
  return { status: response.statusCode, body: response.body, headers };
}
