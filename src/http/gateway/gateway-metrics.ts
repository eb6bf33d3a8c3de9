import type { FastifyInstance } from 'fastify';
import { statusClass, type GatehouseMetrics } from '../../observability/metrics.js';

// One API's gateway traffic as metrics: requests by status class (the upstream's, or the gateway's
// own refusal) and the time to the response. Children are resolved once per API at start-up so
// that a request costs two increments and no label lookup by string building.

export function countGatewayRequests(scope: FastifyInstance, apiId: string, metrics: GatehouseMetrics): void {
  const seconds = metrics.gatewaySeconds.labels(apiId);
  const byClass = new Map(['1xx', '2xx', '3xx', '4xx', '5xx'].map((name) => [name, metrics.gatewayRequests.labels(apiId, name)]));
  scope.addHook('onResponse', (_request, reply, done) => {
    const status = reply.statusCode;
    (byClass.get(statusClass(status)) ?? metrics.gatewayRequests.labels(apiId, 'other')).inc();
    seconds.observe(reply.elapsedTime / 1000);
    done();
  });
}
