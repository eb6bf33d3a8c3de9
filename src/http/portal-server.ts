import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import type { Services } from './services.js';

/** The portal listener: the management API and the developer portal. */
export function createPortalServer(services: Services): FastifyInstance {
  return createServer(services, 'portal');
}
