import type { FastifyInstance } from 'fastify';
import { createServer } from './create-server.js';
import type { Services } from './services.js';

/** The public listener: the token endpoints under /auth and the gateway under each API's prefix. */
export function createPublicServer(services: Services): FastifyInstance {
  return createServer(services, 'public');
}
