import type { FastifyRequest } from 'fastify';
import type { ManagementContext } from '../../domain/management/management-context.js';
import { ManagementError } from '../../domain/management/management-error.js';
import { resolveActor } from '../../domain/management/sign-in.js';
import type { User } from '../../store/store.js';
import type { Services } from '../services.js';

// RFC 6750 §2.1: management requests carry `Authorization: Bearer <access token>` of the built-in
// portal API. The hook resolves the user once per request; routes read it with managementContext().

const actors = new WeakMap<FastifyRequest, User>();

function bearerToken(header: string | undefined): string {
  const match = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header ?? '');
  if (!match) {
    const detail = header ? 'the Authorization header must be "Bearer <access token>"' : 'sign in first: send Authorization: Bearer <access token>';
    throw new ManagementError('unauthenticated', detail);
  }
  return match[1] as string;
}

export function authenticateRequest(services: Pick<Services, 'store' | 'now'>) {
  return async (request: FastifyRequest): Promise<void> => {
    actors.set(request, await resolveActor(services.store, bearerToken(request.headers.authorization), services.now()));
  };
}

export function managementContext(services: Services, request: FastifyRequest): ManagementContext {
  const actor = actors.get(request);
  if (!actor) throw new ManagementError('unauthenticated', 'sign in first');
  return { store: services.store, config: services.config, passwords: services.passwords, now: services.now(), actor, ip: request.ip };
}
