import type { Redis } from 'ioredis';
import type { CounterHit, RateCounter } from '../domain/rate-limit.js';

// Rate-limit counters shared by every Gatehouse process. INCR and PEXPIRE run in one Lua script,
// so a counter never exists without its expiry (a crash between the two would leave it forever),
// and all windows of a request cost one round trip.

const KEY_PREFIX = 'gatehouse:ratelimit:';

const HIT_SCRIPT = `
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  counts[i] = count
end
return counts
`;

export class RedisRateCounter implements RateCounter {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async hit(hits: readonly CounterHit[]): Promise<readonly number[]> {
    const keys = hits.map((hit) => KEY_PREFIX + hit.key);
    const ttls = hits.map((hit) => String(Math.ceil(hit.ttlMs)));
    const counts = (await this.#redis.eval(HIT_SCRIPT, keys.length, ...keys, ...ttls)) as unknown;
    if (!Array.isArray(counts) || counts.length !== hits.length) throw new Error('unexpected answer from the rate-limit script');
    return counts.map(Number);
  }
}
