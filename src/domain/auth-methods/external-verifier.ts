import Type from 'typebox';
import Value from 'typebox/value';
import type { ExternalAuthMethodConfig } from '../../config/config.js';
import { StoreConflictError, StoreUnavailableError, type ExternalProfile, type User, type UserStore } from '../../store/store.js';
import { AUTH_METHOD_AUDIT_EVENT, recordAuthMethodEvent, type AuthMethodReporting } from './auth-method-reports.js';
import type { CredentialCheck, CredentialVerifier } from './credential-verifier.js';

// The external auth method: an HTTP service that Gatehouse asks "is this username + password
// right?" and that answers with a profile. Every way the service can fail maps to `unavailable`
// (the grant answers 503 temporarily_unavailable), so a broken service never yields a token and
// never a 500; so does a profile Gatehouse could not store faithfully (an ill-formed string). Reasons are logged by the caller: they name what went wrong, never the password.

/** The most of an answer we read; a profile is a few hundred bytes, anything larger is a fault. */
export const MAX_ANSWER_BYTES = 64 * 1024; // 64 KiB

// Extra properties are allowed: services answer with more than Gatehouse needs. `email` and
// `name` may be null, which JSON services commonly send for "not known".
const Profile = Type.Object({
  sub: Type.String({ minLength: 1 }),
  email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  groups: Type.Optional(Type.Array(Type.String())),
});

export interface ExternalVerifierDeps {
  readonly users: Pick<UserStore, 'upsertExternal'>;
  readonly now: () => number;
  /** Defaults to Node's built-in fetch (undici); tests may substitute it. */
  readonly fetch?: typeof fetch;
  /** Where a profile conflict is reported (warn log + audit row); unreported without. */
  readonly reporting?: AuthMethodReporting;
}

// C0 and C1 controls, DEL among them: no identifier or display name carries one, NUL cannot be
// stored in PostgreSQL text, and escapes would reach an admin's terminal. \p{Cs} matches only a
// lone surrogate (a pair is one code point under /u), which encoding to UTF-8 would turn into
// U+FFFD, merging distinct subs into one Gatehouse user.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Why a string the profile carries cannot be stored faithfully; null when all are fine. */
function illFormedField(profile: { sub: string; email?: string | null; name?: string | null; groups?: readonly string[] }): string | null {
  const fields: [string, string | null | undefined][] = [
    ['/sub', profile.sub],
    ['/email', profile.email],
    ['/name', profile.name],
    ...(profile.groups ?? []).map((group, i): [string, string] => [`/groups/${i}`, group]),
  ];
  for (const [field, value] of fields) {
    if (typeof value !== 'string') continue;
    if (LONE_SURROGATE.test(value)) return `${field} holds an unpaired UTF-16 surrogate`;
    if (CONTROL.test(value)) return `${field} holds a control character`;
  }
  return null;
}

const unavailable = (reason: string): CredentialCheck => ({ outcome: 'unavailable', reason });
const rejected: CredentialCheck = { outcome: 'rejected' };
// JSON is UTF-8 (RFC 8259 §8.1); fatal so that other bytes count as "not JSON", not as U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function createExternalVerifier(config: ExternalAuthMethodConfig, deps: ExternalVerifierDeps): CredentialVerifier {
  const doFetch = deps.fetch ?? globalThis.fetch;

  async function verify(username: string, password: string): Promise<CredentialCheck> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (config.secretHeader) headers[config.secretHeader.name] = config.secretHeader.value;
    // One signal bounds the whole exchange, the body included, so a service that sends headers
    // and then trickles cannot hold the token request open.
    const signal = AbortSignal.timeout(config.timeoutMs);
    let response: Response;
    try {
      // Exactly one attempt: a password is never retried (a retry can count twice towards the
      // service's lockout, and a timed-out attempt may still have been checked).
      response = await doFetch(config.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ username, password }),
        // A redirect would resend the password to wherever the service points; refuse instead.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      return unavailable(transportFailure(error, config.timeoutMs));
    }

    if (response.status === 401 || response.status === 403) {
      await discard(response);
      return rejected;
    }
    if (response.status !== 200) {
      await discard(response);
      const what = response.status >= 300 && response.status < 400 ? 'a redirect, not followed' : 'an unexpected status';
      return unavailable(`the service answered HTTP ${response.status} (${what})`);
    }

    let bytes: Uint8Array | null;
    try {
      bytes = await readCapped(response, MAX_ANSWER_BYTES);
    } catch (error) {
      return unavailable(transportFailure(error, config.timeoutMs));
    }
    if (bytes === null) return unavailable(`the service's answer exceeds ${MAX_ANSWER_BYTES} bytes`);

    let body: unknown;
    try {
      body = JSON.parse(utf8.decode(bytes));
    } catch {
      return unavailable('the service answered 200 with something that is not JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return unavailable('the service answered 200 with JSON that is not an object');
    }
    // Some services say no with a 200 and an error field; any error field means no, even next
    // to a sub, because accepting by mistake is the worse failure.
    if ('error' in body) return rejected;
    if (!Value.Check(Profile, body)) return unavailable(`the service's profile is malformed: ${firstViolation(body)}`);

    const illFormed = illFormedField(body);
    if (illFormed !== null) return unavailable(`the service's profile is malformed: ${illFormed}`);

    const profile = {
      sub: body.sub,
      email: body.email ?? null,
      name: body.name ?? null,
      groups: body.groups ?? [],
    };
    let user: User;
    try {
      user = await storeProfile(profile);
    } catch (error) {
      if (error instanceof StoreUnavailableError) return unavailable(`the user store is unavailable: ${error.reason}`);
      throw error;
    }
    // An admin disables the Gatehouse record to cut an external identity off (CredentialCheck:
    // a disabled user is rejected like a wrong password).
    if (user.disabled) return rejected;
    return { outcome: 'accepted', user };
  }

  /**
   * Emails are unique per auth method. When the service gives this sub an email another user of
   * the method holds (an address reassigned in the directory, the holder not signed in since),
   * the sign-in goes ahead: the identity is the sub, and refusing would lock the new holder out
   * until the old one signs in again. The email is left as it was (none for a first sign-in), and
   * a warning and an audit row say so.
   */
  async function storeProfile(profile: ExternalProfile & { email: string | null }): Promise<User> {
    try {
      return await deps.users.upsertExternal(config.id, profile, deps.now());
    } catch (error) {
      if (!(error instanceof StoreConflictError)) throw error;
    }
    const { email: _kept, ...withoutEmail } = profile;
    const user = await deps.users.upsertExternal(config.id, withoutEmail, deps.now());
    if (deps.reporting) {
      const details = { authMethod: config.id, field: 'email', kept: user.email === null ? 'none' : 'previous' };
      deps.reporting.log.warn({ ...details, userId: user.id }, 'external profile email belongs to another user of the method; not updated');
      await recordAuthMethodEvent(deps.reporting, { type: AUTH_METHOD_AUDIT_EVENT.profileConflict, userId: user.id, details });
    }
    return user;
  }

  return { authMethodId: config.id, verify };
}

/** The body's bytes, or null when there are more than `limit` (reading stops there). */
async function readCapped(response: Response, limit: number): Promise<Uint8Array | null> {
  if (Number(response.headers.get('content-length') ?? '0') > limit) {
    await discard(response);
    return null;
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    size += chunk.value.byteLength;
    // Counted after decompression (undici inflates gzip), so a small compressed bomb stops here too.
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks);
}

/** Frees the connection without reading what we do not need. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

function transportFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `the service did not answer within ${timeoutMs} ms`;
  // undici reports "fetch failed" with the socket error (ECONNREFUSED, ENOTFOUND, ...) as cause.
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? `the service could not be reached (${code})` : 'the service could not be reached';
}

function firstViolation(body: unknown): string {
  const first = [...Value.Errors(Profile, body)][0] as { instancePath?: string; message?: string } | undefined;
  if (!first) return 'unknown violation';
  return `${first.instancePath || '(top level)'} ${first.message ?? 'is invalid'}`;
}
