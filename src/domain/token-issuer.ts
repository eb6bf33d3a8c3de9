import { randomUUID } from 'node:crypto';
import type { ApiConfig } from '../config/config.js';
import type { LoginGrant, NewAuditEvent, NewTokenFamily, TokenPair, TokenStore, User } from '../store/store.js';
import type { AuthenticatedClient } from './client-authentication.js';
import { hashTokenValue, newTokenValue } from './token-values.js';

// Minting access + refresh token pairs with the API's lifetimes, and the RFC 6749 §5.1 response
// that carries them. Nothing a login hands out outlives the login: both tokens end no later than
// the family's absolute expiry (the API's sessionLifetime from the password grant).

export interface MintedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** What the store keeps: hashes and expiries. */
  readonly pair: TokenPair;
  /** Seconds, for `expires_in`. */
  readonly expiresIn: number;
}

/** RFC 6749 §5.1. `token_type` is lower-case as in the seed; RFC 6749 §7.1 makes it case-insensitive. */
export interface TokenResponse {
  readonly access_token: string;
  /** Absent for client credentials (RFC 6749 §4.4.3). */
  readonly refresh_token?: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly scope?: string;
}

const SECOND = 1000; // ms

/** A trusted subscription always gets every scope of the API (RFC 6749 §3.3 syntax). */
export function fullScope(api: ApiConfig): string {
  return api.scopes.map((scope) => scope.id).join(' ');
}

export function mintTokens(api: ApiConfig, now: number, sessionEnd: number): MintedTokens {
  const accessToken = newTokenValue();
  const refreshToken = newTokenValue();
  const uncapped: MintedTokens = {
    accessToken,
    refreshToken,
    pair: {
      accessToken: { hash: hashTokenValue(accessToken), expiresAt: now + api.accessTokenLifetime * SECOND },
      // The idle lifetime restarts at every refresh; the session end does not move.
      refreshToken: { hash: hashTokenValue(refreshToken), expiresAt: now + api.refreshTokenIdleLifetime * SECOND },
    },
    expiresIn: api.accessTokenLifetime,
  };
  return endingBy(uncapped, sessionEnd, now);
}

/** The same tokens, expiring no later than `sessionEnd` (the store caps a rotation's pair alike). */
export function endingBy(minted: MintedTokens, sessionEnd: number, now: number): MintedTokens {
  const { accessToken, refreshToken } = minted.pair;
  const accessExpiresAt = Math.min(accessToken.expiresAt, sessionEnd);
  return {
    ...minted,
    pair: {
      accessToken: { hash: accessToken.hash, expiresAt: accessExpiresAt },
      refreshToken: { hash: refreshToken.hash, expiresAt: Math.min(refreshToken.expiresAt, sessionEnd) },
    },
    expiresIn: Math.max(0, Math.floor((accessExpiresAt - now) / SECOND)),
  };
}

export function tokenResponse(minted: MintedTokens, scope: string): TokenResponse {
  const response: TokenResponse = {
    access_token: minted.accessToken,
    refresh_token: minted.refreshToken,
    token_type: 'bearer',
    expires_in: minted.expiresIn,
  };
  // RFC 6749 §5.1: scope is optional when it equals what was asked; we always send it when the
  // API has scopes, because the client never asks (the seed: scope is ignored).
  return scope === '' ? response : { ...response, scope };
}

/** The record of a new login (token family) of `client` at `api`, whichever grant started it. */
export function newFamily(
  login: { readonly api: ApiConfig; readonly authMethodId: string; readonly client: AuthenticatedClient; readonly now: number },
  family: { readonly grantType: LoginGrant; readonly userId: string | null; readonly scope: string; readonly expiresAt: number },
): NewTokenFamily {
  return {
    id: randomUUID(),
    grantType: family.grantType,
    subscriptionId: login.client.subscription.id,
    applicationId: login.client.subscription.applicationId,
    apiId: login.api.id,
    authMethod: login.authMethodId,
    userId: family.userId,
    scope: family.scope,
    createdAt: login.now,
    expiresAt: family.expiresAt,
  };
}

/** A successful password grant: a new token family with its first pair and its audit row (`audit`, given the family's id); the answer. */
export async function startLogin(
  tokens: Pick<TokenStore, 'createFamily'>,
  login: { readonly api: ApiConfig; readonly authMethodId: string; readonly client: AuthenticatedClient; readonly user: User; readonly now: number },
  audit: (familyId: string) => NewAuditEvent,
): Promise<TokenResponse> {
  const { api, user, now } = login;
  const scope = fullScope(api);
  const sessionEnd = now + api.sessionLifetime * SECOND;
  const minted = mintTokens(api, now, sessionEnd);
  const input = newFamily(login, { grantType: 'password', userId: user.id, scope, expiresAt: sessionEnd });
  await tokens.createFamily(input, minted.pair, audit(input.id));
  return tokenResponse(minted, scope);
}
