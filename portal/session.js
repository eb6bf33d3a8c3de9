// The sign-in of the portal: the built-in public client's password grant, refresh and revocation,
// and the management API calls made with its access token.

const CLIENT_ID = 'gatehouse-portal';
const REFRESH_KEY = 'gatehouse.refreshToken';
const TOKEN_URL_KEY = 'gatehouse.tokenUrl';

// Where the tokens live. The access token stays in this module's memory only: it dies with the
// tab and no storage API exposes it. The refresh token goes to sessionStorage so that a reload
// keeps the sign-in; it is per tab, cleared when the tab closes, rotated on every use (a copy
// used twice ends the whole sign-in), and never in a cookie, so the bearer-only management API
// has no CSRF surface. The remaining risk, script injection, is what the CSP and textContent close.
let accessToken = null;
export let me = null;

/** Called when the page must be drawn again (signed in or out, or after a change). */
let redraw = async () => {};
export function onRedraw(fn) {
  redraw = fn;
}
export const rerender = () => redraw();
export function setMe(user) {
  me = user;
}
export const signedIn = () => accessToken !== null;

// Set when a sign-in ends without the person signing out (an admin ended their logins, their
// password was changed, the session ran out): the sign-in page then says so, once.
let endedNotice = false;
export function takeEndedNotice() {
  const notice = endedNotice;
  endedNotice = false;
  return notice;
}

// ---- tokens -----------------------------------------------------------------------------------

export async function tokenRequest(url, fields) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...fields }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error_description || body.error || `sign-in failed (${response.status})`);
  accessToken = body.access_token;
  if (body.refresh_token) sessionStorage.setItem(REFRESH_KEY, body.refresh_token);
  sessionStorage.setItem(TOKEN_URL_KEY, url);
}

// One refresh at a time, shared by every caller: a view that fires several API calls with an
// expired access token must present its refresh token once. Sent twice, the second copy is a
// rotated token, which the server treats as theft and answers by ending the whole sign-in.
let refreshing = null;

/** Renews the access token; callers that ask while a refresh is under way share its outcome. */
export function refresh() {
  refreshing ??= refreshOnce().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function refreshOnce() {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  const url = sessionStorage.getItem(TOKEN_URL_KEY);
  if (!refreshToken || !url) return false;
  try {
    await tokenRequest(url, { grant_type: 'refresh_token', refresh_token: refreshToken });
    return true;
  } catch {
    forget();
    endedNotice = true;
    return false;
  }
}

export function forget() {
  accessToken = null;
  me = null;
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(TOKEN_URL_KEY);
}

export async function signOut() {
  const refreshToken = sessionStorage.getItem(REFRESH_KEY);
  const url = sessionStorage.getItem(TOKEN_URL_KEY);
  forget();
  // RFC 7009: revoking the refresh token ends the whole sign-in on the server, not just here.
  if (refreshToken && url) {
    await fetch(url.replace(/\/token$/, '/revoke'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, token: refreshToken, token_type_hint: 'refresh_token' }),
    }).catch(() => {});
  }
  await go('#/');
}

/** Navigates; a hash change routes by itself, the same hash needs an explicit render. */
export async function go(hash) {
  if (location.hash === hash) await redraw();
  else location.hash = hash;
}

/**
 * A refusal of the management API (RFC 9457 problem details): the message is the problem's
 * detail; `errors` ([{ field, message }]) names the request fields refused, for forms to mark.
 */
export class ApiError extends Error {
  constructor(message, { status = 0, code = null, errors = [] } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.errors = errors;
  }
}

/** A management API call; on 401 it refreshes once and retries, else it goes back to sign-in. */
export async function api(method, path, body) {
  let sentWith = null;
  const send = () => {
    sentWith = accessToken;
    return fetch(`/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  };
  let response = await send();
  // A call refused with a token that another call has renewed meanwhile just retries with the
  // new one; only a call refused with the current token refreshes (and shares a running refresh).
  if (response.status === 401 && (accessToken !== sentWith || (await refresh()))) response = await send();
  if (response.status === 401) {
    forget();
    endedNotice = true;
    await redraw();
    throw new ApiError('Your sign-in has ended. Please sign in again.', { status: 401, code: 'unauthenticated' });
  }
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const errors = Array.isArray(payload.errors) ? payload.errors : [];
    throw new ApiError(payload.detail || payload.title || `request failed (${response.status})`, { status: response.status, code: payload.code ?? null, errors });
  }
  return payload;
}
