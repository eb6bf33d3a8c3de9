import { PORTAL_API_ID, PORTAL_CLIENT_ID } from '../../domain/portal-sign-in.js';
import { CliError } from '../cli-error.js';
import { httpCall, type HttpAnswer } from './http-call.js';

// The CLI's side of signing in: the password grant and refresh (RFC 6749 §4.3, §6) and
// revocation (RFC 7009) of the built-in API, with the built-in public client (no secret).

export interface PortalTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** ms since the epoch. */
  readonly accessTokenExpiresAt: number;
}

function endpoint(url: string, authMethod: string, name: 'token' | 'revoke'): string {
  return `${url}/auth/${encodeURIComponent(authMethod)}/api/${PORTAL_API_ID}/${name}`;
}

async function post(target: string, parameters: Record<string, string>): Promise<HttpAnswer> {
  try {
    return await httpCall(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: PORTAL_CLIENT_ID, ...parameters }).toString(),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${new URL(target).origin}: ${(error as Error).message}`);
  }
}

function tokens(response: HttpAnswer, refused: (error: string, description: string) => string): PortalTokens {
  let body: Record<string, unknown> = {};
  try {
    body = response.json() as Record<string, unknown>;
  } catch {
    // no OAuth body: the status says enough
  }
  if (!response.ok) throw new CliError(refused(String(body.error ?? response.status), String(body.error_description ?? '')));
  return {
    accessToken: String(body.access_token),
    refreshToken: String(body.refresh_token),
    accessTokenExpiresAt: Date.now() + Number(body.expires_in ?? 0) * 1000,
  };
}

export async function passwordGrant(url: string, authMethod: string, username: string, password: string): Promise<PortalTokens> {
  const response = await post(endpoint(url, authMethod, 'token'), { grant_type: 'password', username, password });
  return tokens(response, (error, description) => (error === 'invalid_grant' ? 'sign-in failed: wrong username or password' : `sign-in failed: ${error} ${description}`.trim()));
}

export async function refreshGrant(url: string, authMethod: string, refreshToken: string): Promise<PortalTokens> {
  const response = await post(endpoint(url, authMethod, 'token'), { grant_type: 'refresh_token', refresh_token: refreshToken });
  return tokens(response, () => 'your sign-in has ended: run `gatehouse login` again');
}

/** Ends the login on the server; an unreachable server is the caller's to report. */
export async function revokeRefreshToken(url: string, authMethod: string, refreshToken: string): Promise<boolean> {
  const response = await post(endpoint(url, authMethod, 'revoke'), { token: refreshToken, token_type_hint: 'refresh_token' });
  return response.ok;
}
