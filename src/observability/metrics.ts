import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from '../config/config.js';
import { PlainHistogram } from './plain-histogram.js';

// Gatehouse's Prometheus metrics (text exposition format, prom-client). Every label value comes
// from a bounded set fixed at start-up — API ids, auth method ids, grant types, OAuth error codes,
// status classes, store operation names — never a user name, client id, address or path, so that
// a hostile client cannot grow the series count. Anything outside its set is counted as "other".

// Seconds. Token endpoint times are dominated by argon2id (tens of ms); gateway overhead by
// microseconds of our own code plus the upstream.
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
const HASH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const OTHER = 'other';

/** A label value from a fixed set, or "other": no client input ever becomes a series of its own. */
export function bounded(allowed: ReadonlySet<string>, value: string | undefined): string {
  return value !== undefined && allowed.has(value) ? value : OTHER;
}

/** The status classes by their digit, "other" at 0 (gatewayRequestCounts). */
const STATUS_CLASSES = [OTHER, '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** The index of a status's class in STATUS_CLASSES. */
export function statusClassIndex(status: number): number {
  return status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : OTHER;
}

/** A gauge's value read when Prometheus scrapes, e.g. a queue length or a breaker state. */
export type GaugeSource = () => number | Promise<number>;

export class GatehouseMetrics {
  readonly registry = new Registry();
  readonly apiIds: ReadonlySet<string>;
  readonly authMethodIds: ReadonlySet<string>;

  readonly tokenRequests = new Counter({
    name: 'gatehouse_token_requests_total',
    help: 'Token endpoint requests by grant type, auth method, API and outcome (granted, or the OAuth error code).',
    labelNames: ['grant_type', 'auth_method', 'api', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly tokenRequestSeconds = new Histogram({
    name: 'gatehouse_token_request_duration_seconds',
    help: 'Token endpoint response time by grant type.',
    labelNames: ['grant_type'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  readonly passwordHashSeconds = new Histogram({
    name: 'gatehouse_password_hash_duration_seconds',
    help: 'Time to hash or verify one password (argon2id, or bcrypt for imported hashes), queueing included.',
    labelNames: ['operation'] as const,
    buckets: HASH_BUCKETS,
    registers: [this.registry],
  });
  readonly securityEvents = new Counter({
    name: 'gatehouse_security_events_total',
    help: 'Audited security events by type: logins granted and refused, refresh token reuse (RFC 9700 §4.14.2), revocations, lockout releases, ...',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  // The gateway's two per-request metrics are plain numbers on the hot path (prom-client hashes
  // the labels of every observation): counts per API and status class, copied at scrape time.
  readonly #gatewayCounts = new Map<string, Float64Array>();
  readonly #gatewayCounted = new Map<string, number>();
  readonly gatewayRequests = new Counter({
    name: 'gatehouse_gateway_requests_total',
    help: 'Requests under an API prefix by API and status class (the upstream\'s, or the gateway\'s own refusal).',
    labelNames: ['api', 'status_class'] as const,
    registers: [this.registry],
    collect: () => this.#copyGatewayCounts(),
  });
  readonly gatewaySeconds = new PlainHistogram({
    name: 'gatehouse_gateway_request_duration_seconds',
    help: 'Time from a gateway request to its response headers, by API.',
    labelName: 'api',
    buckets: REQUEST_BUCKETS,
    registry: this.registry,
  });
  readonly rateLimitRefusals = new Counter({
    name: 'gatehouse_rate_limit_refusals_total',
    help: 'Gateway requests refused with 429 by a plan\'s rate limit, by API.',
    labelNames: ['api'] as const,
    registers: [this.registry],
  });
  readonly storeSeconds = new Histogram({
    name: 'gatehouse_store_operation_duration_seconds',
    help: 'Store calls by operation (e.g. tokens.rotateRefreshToken) and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: STORE_BUCKETS,
    registers: [this.registry],
  });

  constructor(config: Pick<Config, 'apis' | 'authMethods'>) {
    this.apiIds = new Set(config.apis.map((api) => api.id));
    this.authMethodIds = new Set(config.authMethods.map((method) => method.id));
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  /** The plain counts of one API's gateway requests: index 1–5 the status class 1xx–5xx, 0 "other". */
  gatewayRequestCounts(apiId: string): Float64Array {
    let counts = this.#gatewayCounts.get(apiId);
    if (!counts) {
      counts = new Float64Array(STATUS_CLASSES.length);
      this.#gatewayCounts.set(apiId, counts);
    }
    return counts;
  }

  #copyGatewayCounts(): void {
    for (const [api, counts] of this.#gatewayCounts) {
      for (const [index, statusClass] of STATUS_CLASSES.entries()) {
        const now = counts[index] ?? 0;
        const key = `${api} ${statusClass}`;
        const delta = now - (this.#gatewayCounted.get(key) ?? 0);
        if (delta > 0) this.gatewayRequests.inc({ api, status_class: statusClass }, delta);
        this.#gatewayCounted.set(key, now);
      }
    }
  }

  /**
   * A gauge computed at scrape time. A source that fails (Redis down) keeps the last value: the
   * scrape must still answer, since that is when the other metrics matter most.
   */
  gauge(name: string, help: string, source: GaugeSource): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        try {
          this.set(await source());
        } catch {
          // keeps the last value
        }
      },
    });
  }

  /**
   * A counter kept by another component as a plain number (cheap on its hot path) and copied
   * here at scrape time; `read` must be monotonic.
   */
  counterFrom(name: string, help: string, labels: Readonly<Record<string, () => number>>, labelName: string): void {
    const seen = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: [labelName],
      registers: [this.registry],
      collect() {
        for (const [value, read] of Object.entries(labels)) {
          const now = read();
          const delta = now - (seen.get(value) ?? 0);
          if (delta > 0) this.inc({ [labelName]: value }, delta);
          seen.set(value, now);
        }
      },
    });
  }
}
