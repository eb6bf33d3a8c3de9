import type { FastifyPluginAsync } from 'fastify';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects or times out otherwise. */
  readonly check: () => Promise<void>;
}

export interface HealthRoutesOptions {
  readonly checks: readonly ReadinessCheck[];
  /** How long one check may take before it counts as down, ms. */
  readonly timeoutMs?: number;
  /** States shown next to the checks (e.g. `bruteForceCounters: "local-fallback"`), never hidden by them. */
  readonly report?: () => Readonly<Record<string, string>>;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** `/healthz`: the process answers. `/readyz`: and every dependency it needs answers too. */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  const timeoutMs = options.timeoutMs ?? 2_000; // 2 s: a load balancer's probe should not hang
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const results = await Promise.all(
      options.checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, 'up'] as const;
        } catch (error) {
          request.log.warn({ err: error, dependency: name }, 'readiness check failed');
          return [name, 'down'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'up');
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results), ...options.report?.() });
  });
};
