import { CliError } from '../cli-error.js';
import { escapeControlCharacters } from './output.js';
import { readCredentials, writeCredentials, type StoredCredentials } from './credentials-file.js';
import { httpCall, type HttpAnswer } from './http-call.js';
import { refreshGrant } from './portal-tokens.js';

// Calls the management API of a running server as the signed-in user. The server's URL comes
// from --url, else $GATEHOUSE_URL, else the login; the access token from $GATEHOUSE_TOKEN (for
// scripts that sign in on their own), else the stored login, refreshed when it is about to lapse.

export interface RemoteOptions {
  readonly url?: string;
  readonly json?: boolean;
}

export interface ManagementClient {
  readonly url: string;
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

const EXPIRY_MARGIN_MS = 30_000; // refresh 30 s early, so a token never lapses in flight

export function normaliseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

async function accessToken(url: string, stored: StoredCredentials | null): Promise<string> {
  const fromEnv = process.env.GATEHOUSE_TOKEN;
  if (fromEnv) return fromEnv;
  if (!stored) throw new CliError('not signed in: run `gatehouse login --url URL` (or set GATEHOUSE_TOKEN)');
  if (stored.url !== url) throw new CliError(`signed in to ${stored.url}, not ${url}: run \`gatehouse login --url ${url}\``);
  if (stored.accessTokenExpiresAt - EXPIRY_MARGIN_MS > Date.now()) return stored.accessToken;
  return renew(url, stored);
}

// One refresh per refresh token, shared by every caller in this process: presenting a rotated
// refresh token again is reuse, which ends the sign-in (RFC 9700 §4.14.2). Across processes, the
// built-in API's short grace window (portal-sign-in.ts) lets a near-simultaneous second one through.
const renewals = new Map<string, Promise<string>>();

function renew(url: string, stored: StoredCredentials): Promise<string> {
  let renewal = renewals.get(stored.refreshToken);
  if (!renewal) {
    renewal = (async () => {
      const renewed = await refreshGrant(url, stored.authMethod, stored.refreshToken);
      await writeCredentials({ ...stored, ...renewed });
      return renewed.accessToken;
    })();
    renewals.set(stored.refreshToken, renewal);
    // Kept after success, so that a late caller with the same (now rotated) token gets the new
    // access token instead of presenting the rotated one; dropped after a failure.
    renewal.catch(() => renewals.delete(stored.refreshToken));
  }
  return renewal;
}

/** RFC 9457 problem details, as far as the terminal shows them. */
interface ProblemDetails {
  readonly detail?: string;
  readonly title?: string;
  readonly code?: string;
}

function problemDetails(response: HttpAnswer): ProblemDetails | null {
  try {
    return response.json() as ProblemDetails | null;
  } catch {
    return null; // not JSON: the status line says enough
  }
}

/** A refusal becomes one line for the terminal. */
function refusal(response: HttpAnswer): CliError {
  const body = problemDetails(response);
  const reason = body?.detail ?? body?.title ?? response.statusText;
  // The detail may echo a stored name: it goes to a terminal too.
  return new CliError(escapeControlCharacters(`${response.status} ${body?.code ?? ''}: ${reason}`.replace(' :', ':')));
}

export async function connect(options: RemoteOptions): Promise<ManagementClient> {
  const stored = await readCredentials();
  const chosen = options.url || process.env.GATEHOUSE_URL || stored?.url;
  if (!chosen) throw new CliError('which server? pass --url URL, set GATEHOUSE_URL, or run `gatehouse login --url URL`');
  const url = normaliseUrl(chosen);
  const token = await accessToken(url, stored);
  return {
    url,
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: HttpAnswer;
      try {
        response = await httpCall(`${url}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        throw new CliError(`cannot reach ${url}: ${(error as Error).message}`);
      }
      if (!response.ok) throw refusal(response);
      return (response.status === 204 ? null : response.json()) as T;
    },
  };
}
