import type { Redis } from 'ioredis';
import type { RateCounter, RateWindow } from '../domain/rate-limit.js';
import { SLICES, type WindowCount } from '../domain/sliding-window.js';

// Rate-limit windows shared by every Gatehouse process: the sliding window of
// domain/sliding-window.ts as one Lua script, so that reading every window, deciding and
// counting is atomic across processes and costs one round trip. Each window is a hash of slice
// index → count; slices that have left the window are deleted as the window is written, and the
// key expires once its newest slice has left — judged by the callers' clocks, so the expiry
// (Redis's clock) leaves CLOCK_SLACK_MS for processes whose clocks differ. The group (subscription) is a hash tag, so that
// all keys of one script share a Redis Cluster slot. Sent as EVALSHA (ioredis falls back to EVAL
// once after a Redis restart empties its script cache).

const KEY_PREFIX = 'gatehouse:ratelimit:';
const CLOCK_SLACK_MS = 10_000;
const COMMAND = 'gatehouseAdmitRate';

// KEYS: one hash per window. ARGV: now (ms), slices per period, slack (ms), then limit and period (ms) per window.
// Returns used and free-in (ms) per window, as in SlidingWindow.read.
const ADMIT_SCRIPT = `
local now, slices, slack = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local answer, writes, fits = {}, {}, true
for i, key in ipairs(KEYS) do
  local limit, period = tonumber(ARGV[2 * i + 2]), tonumber(ARGV[2 * i + 3])
  local width = period / slices
  local current = math.floor(now / width)
  local fields = redis.call('HGETALL', key)
  local counted, stale, used = {}, {}, 0
  for j = 1, #fields, 2 do
    local index, count = tonumber(fields[j]), tonumber(fields[j + 1])
    if index < current - slices then
      stale[#stale + 1] = fields[j]
    else
      used = used + count
      counted[#counted + 1] = { index, count }
    end
  end
  local freeIn = 0
  if used >= limit then
    fits = false
    table.sort(counted, function(a, b) return a[1] < b[1] end)
    local left = used
    for _, slice in ipairs(counted) do
      left = left - slice[2]
      if left <= limit - 1 then
        freeIn = (slice[1] + slices + 1) * width - now
        break
      end
    end
  end
  answer[2 * i - 1], answer[2 * i] = used, math.ceil(freeIn)
  writes[i] = { string.format('%d', current), stale, math.ceil(period + width + slack) }
end
if fits then
  for i, key in ipairs(KEYS) do
    local field, stale, ttl = writes[i][1], writes[i][2], writes[i][3]
    redis.call('HINCRBY', key, field, 1)
    if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
    redis.call('PEXPIRE', key, ttl)
  end
end
return answer
`;

type AdmitCommand = (numberOfKeys: number, ...keysAndArgs: string[]) => Promise<unknown>;

export class RedisRateCounter implements RateCounter {
  readonly #admit: AdmitCommand;

  constructor(redis: Redis) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: ADMIT_SCRIPT });
    const command = (redis as unknown as Record<string, AdmitCommand>)[COMMAND] as AdmitCommand;
    this.#admit = command.bind(redis);
  }

  async admit(group: string, windows: readonly RateWindow[], now: number): Promise<readonly WindowCount[]> {
    const args: string[] = [];
    for (const window of windows) args.push(`${KEY_PREFIX}{${group}}:${window.key}`);
    args.push(String(now), String(SLICES), String(CLOCK_SLACK_MS));
    for (const window of windows) args.push(String(window.limit), String(window.periodMs));
    const answer = await this.#admit(windows.length, ...args);
    if (!Array.isArray(answer) || answer.length !== 2 * windows.length) throw new Error('unexpected answer from the rate-limit script');
    return windows.map((_, i) => ({ used: Number(answer[2 * i]), freeInMs: Number(answer[2 * i + 1]) }));
  }
}
