import type { Redis } from 'ioredis';
import type { AttemptVerdict, CountedSubject, FailureCounters, LockoutPolicy } from '../domain/brute-force/failure-counters.js';

// Sign-in failure counters shared by every Gatehouse process. Each subject is one hash
// (f: failures, l: locked until, t: last attempt); the check-and-count runs as one Lua script,
// so two processes can never both see "not locked" for the attempt that locks. The scripts do
// the arithmetic of domain/brute-force/failure-counters.ts with the caller's clock (so that the
// lockout follows the same clock as token expiry); PEXPIRE only collects what the reset forgot.
// Both scripts are defined once and sent as EVALSHA.

const COUNT_SCRIPT = `
local now, allowed, increment, maxWait, reset = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local state = redis.call('HMGET', KEYS[1], 'f', 'l', 't')
local f, l, t = tonumber(state[1]) or 0, tonumber(state[2]) or 0, tonumber(state[3]) or 0
if l > now then return {f, l, t, 1} end
if now - t >= reset then f = 0 end
f = f + 1
l = 0
if f >= allowed then l = now + math.min(increment * (f - allowed + 1), maxWait) end
redis.call('HSET', KEYS[1], 'f', f, 'l', l, 't', now)
redis.call('PEXPIRE', KEYS[1], math.max(reset, l - now, 1))
return {f, l, now, 0}
`;

const FORGIVE_SCRIPT = `
local now, allowed, reset = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'f', 'l', 't')
if not state[1] then return 0 end
local f, l, t = tonumber(state[1]) or 0, tonumber(state[2]) or 0, tonumber(state[3]) or 0
if l <= now and now - t >= reset then redis.call('DEL', KEYS[1]) return 0 end
f = math.max(0, f - 1)
if f == 0 then redis.call('DEL', KEYS[1]) return 0 end
if f < allowed then l = 0 end
redis.call('HSET', KEYS[1], 'f', f, 'l', l)
return 1
`;

const SCAN_BATCH = 500;

function asNumbers(answer: unknown, length: number): number[] {
  if (!Array.isArray(answer) || answer.length !== length) throw new Error('unexpected answer from the failure-counter script');
  return answer.map(Number);
}

type ScriptCommand = (key: string, ...args: string[]) => Promise<unknown>;

function scriptCommand(redis: Redis, name: string, lua: string): ScriptCommand {
  if (!(name in redis)) redis.defineCommand(name, { lua, numberOfKeys: 1 });
  return ((redis as unknown as Record<string, ScriptCommand>)[name] as ScriptCommand).bind(redis);
}

export class RedisFailureCounters implements FailureCounters {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #count: ScriptCommand;
  readonly #forgive: ScriptCommand;

  /** `prefix` names the deployment, so that two deployments sharing one Redis count apart. */
  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#count = scriptCommand(redis, 'gatehouseCountFailure', COUNT_SCRIPT);
    this.#forgive = scriptCommand(redis, 'gatehouseForgiveFailure', FORGIVE_SCRIPT);
  }

  async countAttempt(key: string, policy: LockoutPolicy, now: number): Promise<AttemptVerdict> {
    const args = [now, policy.failuresAllowed, policy.waitIncrementMs, policy.maxWaitMs, policy.failureResetMs].map(String);
    const answer = await this.#count(this.#prefix + key, ...args);
    const [failures = 0, lockedUntil = 0, lastAttemptAt = 0, locked = 0] = asNumbers(answer, 4);
    return { failures, lockedUntil, lastAttemptAt, locked: locked === 1 };
  }

  async forgiveAttempt(key: string, policy: LockoutPolicy, now: number): Promise<void> {
    await this.#forgive(this.#prefix + key, String(now), String(policy.failuresAllowed), String(policy.failureResetMs));
  }

  async clear(key: string): Promise<boolean> {
    return (await this.#redis.del(this.#prefix + key)) > 0;
  }

  async listLocked(prefix: string, now: number, limit: number): Promise<readonly CountedSubject[]> {
    const locked: CountedSubject[] = [];
    // SCAN, not KEYS: it does not block Redis for the other processes while it walks.
    const pattern = `${escapeGlob(this.#prefix + prefix)}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.#redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_BATCH);
      cursor = next;
      for (const fullKey of keys) {
        if (locked.length >= limit) return locked;
        const [f, l, t] = await this.#redis.hmget(fullKey, 'f', 'l', 't');
        const lockedUntil = Number(l ?? 0);
        if (lockedUntil > now) {
          locked.push({ key: fullKey.slice(this.#prefix.length), failures: Number(f ?? 0), lockedUntil, lastAttemptAt: Number(t ?? 0) });
        }
      }
    } while (cursor !== '0');
    return locked;
  }
}

/** Redis glob patterns treat * ? [ ] \ specially; a prefix is matched literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
