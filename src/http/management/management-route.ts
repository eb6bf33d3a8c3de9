import type { FastifyInstance, FastifyRequest } from 'fastify';
import type Type from 'typebox';
import type { TSchema } from 'typebox';
import type { ManagementContext } from '../../domain/management/management-context.js';
import type { Services } from '../services.js';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';
import { ref } from './schemas.js';
import { authenticateRequest, managementContext } from './signed-in-user.js';

// One management route: its schemas (which Fastify validates against and the OpenAPI document
// is generated from), and a handler that receives the signed-in user's context and the
// validated input. Every route requires sign-in and documents the same problem responses.

type Input<S> = S extends TSchema ? Type.Static<S> : undefined;

export interface ManagementRoute<P extends TSchema | undefined, Q extends TSchema | undefined, B extends TSchema | undefined> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly params?: P;
  readonly querystring?: Q;
  readonly body?: B;
  /** The success status: 200 by default, 201 for creations; 204 when `response` is absent. */
  readonly status?: 200 | 201;
  readonly response?: TSchema;
  handle(context: ManagementContext, input: { params: Input<P>; query: Input<Q>; body: Input<B> }, request: FastifyRequest): Promise<unknown>;
}

const problem = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } } });

export const PROBLEM_RESPONSES = {
  '4xx': problem('the request was refused (RFC 9457 problem details; `code` names the reason)'),
  '5xx': problem('the server failed; the cause is in its log under the request id'),
};

export function addManagementRoute<P extends TSchema | undefined, Q extends TSchema | undefined, B extends TSchema | undefined>(
  app: FastifyInstance,
  services: Services,
  route: ManagementRoute<P, Q, B>,
): void {
  const status = route.response ? (route.status ?? 200) : 204;
  app.route({
    method: route.method,
    url: route.url,
    schema: {
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: [{ bearer: [] }],
      ...(route.params ? { params: route.params } : {}),
      ...(route.querystring ? { querystring: route.querystring } : {}),
      ...(route.body ? { body: route.body } : {}),
      response: {
        [status]: route.response ? { description: 'success', ...route.response } : { type: 'null', description: 'done' },
        ...PROBLEM_RESPONSES,
      },
    },
    preHandler: authenticateRequest(services),
    handler: async (request, reply) => {
      const input = { params: request.params, query: request.query, body: request.body } as { params: Input<P>; query: Input<Q>; body: Input<B> };
      const result = await route.handle(managementContext(services, request), input, request);
      return reply.code(status).send(route.response ? result : undefined);
    },
  });
}
