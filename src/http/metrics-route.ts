import type { FastifyInstance } from 'fastify';
import type { GatehouseMetrics } from '../observability/metrics.js';

// GET {metrics.path}: the Prometheus text exposition format. Not cached by anything in between:
// every scrape must see the counters as they are.

export function registerMetricsRoute(app: FastifyInstance, path: string, metrics: GatehouseMetrics): void {
  app.get(path, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(body);
  });
}
