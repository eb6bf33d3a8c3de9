import type { FastifyReply, FastifyRequest } from 'fastify';
import { newTokenValue } from '../../domain/token-values.js';

// The cookie that ties a pending authorization request to the browser that started it: a sign-in
// form posted from elsewhere (another browser, a cross-site form, a leaked form token) finds a
// different or no cookie and is refused. SameSite=Lax: sent on Gatehouse's own form post, not on a
// cross-site one; HttpOnly: no script reads it; Path: only the auth endpoints see it.

export const BROWSER_COOKIE = 'gatehouse_authorize';
const MAX_AGE_SECONDS = 600; // the authorization request's lifetime
const VALUE = /^[A-Za-z0-9_-]{43}$/;

export function presentedBinding(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === BROWSER_COOKIE && VALUE.test(value)) return value;
  }
  return undefined;
}

/** The browser's binding, set (or refreshed) on the reply. */
export function bindBrowser(request: FastifyRequest, reply: FastifyReply): string {
  const value = presentedBinding(request) ?? newTokenValue();
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${BROWSER_COOKIE}=${value}; Path=/auth/; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure}`);
  return value;
}
