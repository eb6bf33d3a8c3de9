import type { FastifyPluginAsync } from 'fastify';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects or times out otherwise. */
  readonly check: () => Promise<void>;
  /**
   * false: the process serves without it (e.g. Redis: counters fall back to this process), so
   * its loss makes the process `degraded` but still ready (200), and the report names the fallback.
   */
  readonly required?: boolean;
}

export interface HealthRoutesOptions {
  readonly checks: readonly ReadinessCheck[];
  /** How long one check may take before it counts as down, ms. */
  readonly timeoutMs?: number;
  /** States shown next to the checks (e.g. `rateLimitCounters: "local-fallback"`), never hidden by them. */
  readonly report?: () => Readonly<Record<string, string>>;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process answers. `/readyz`: and every dependency it needs answers too (200
 * `ready`), or only those it cannot serve without (200 `degraded`); 503 `unavailable` otherwise.
 */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, options) => {
  const timeoutMs = options.timeoutMs ?? 2_000; // 2 s: a load balancer's probe should not hang
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const results = await Promise.all(
      options.checks.map(async ({ name, check, required = true }) => {
        try {
          await withTimeout(check(), timeoutMs);
          return { name, state: 'up', required } as const;
        } catch (error) {
          request.log.warn({ err: error, dependency: name }, 'readiness check failed');
          return { name, state: 'down', required } as const;
        }
      }),
    );
    const down = results.filter((result) => result.state === 'down');
    const status = down.length === 0 ? 'ready' : down.some((result) => result.required) ? 'unavailable' : 'degraded';
    return reply
      .code(status === 'unavailable' ? 503 : 200)
      .header('cache-control', 'no-store')
      .send({ status, checks: Object.fromEntries(results.map((result) => [result.name, result.state])), ...options.report?.() });
  });
};
