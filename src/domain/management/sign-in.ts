import type { TokenStore, User, UserStore } from '../../store/store.js';
import { PORTAL_API_ID } from '../portal-sign-in.js';
import { hashTokenValue, MAX_TOKEN_LENGTH } from '../token-values.js';
import { ManagementError } from './management-error.js';

// Who is calling the management API: the user of a live access token of the built-in portal API
// (RFC 6750 bearer). Tokens of other APIs are refused, so that an app's token for "orders" can
// never act on Gatehouse itself. Checked against the store on every request: a revoked login, a
// disabled or deleted user, stop at the next request.

const INVALID = 'the access token is invalid, expired or revoked: sign in again';

export async function resolveActor(
  store: { readonly tokens: Pick<TokenStore, 'findAccessToken'>; readonly users: Pick<UserStore, 'findById'> },
  accessToken: string,
  now: number,
): Promise<User> {
  if (accessToken.length === 0 || accessToken.length > MAX_TOKEN_LENGTH) throw new ManagementError('unauthenticated', INVALID);
  const record = await store.tokens.findAccessToken(hashTokenValue(accessToken));
  if (!record) throw new ManagementError('unauthenticated', INVALID);
  const { family } = record;
  const live = record.expiresAt > now && family.revokedAt === null && family.expiresAt > now;
  // A token without a user (client credentials) acts for no one here.
  if (!live || family.apiId !== PORTAL_API_ID || family.userId === null) throw new ManagementError('unauthenticated', INVALID);
  const user = await store.users.findById(family.userId);
  if (!user || user.disabled) throw new ManagementError('unauthenticated', INVALID);
  return user;
}
