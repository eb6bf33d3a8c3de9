import type { FastifyInstance } from 'fastify';
import { statusClassIndex, type GatehouseMetrics } from '../../observability/metrics.js';

// One API's gateway traffic as metrics: requests by status class (the upstream's, or the gateway's
// own refusal) and the time to the response. Both are plain numbers per API, resolved at start-up
// and copied into the exposition at scrape time (metrics.ts): a request costs two increments.

export function countGatewayRequests(scope: FastifyInstance, apiId: string, metrics: GatehouseMetrics): void {
  const seconds = metrics.gatewaySeconds.labels(apiId);
  const counts = metrics.gatewayRequestCounts(apiId);
  scope.addHook('onResponse', (_request, reply, done) => {
    const index = statusClassIndex(reply.statusCode);
    counts[index] = (counts[index] ?? 0) + 1;
    seconds.observe(reply.elapsedTime / 1000);
    done();
  });
}
