// The load generator: autocannon, run programmatically, reduced to the figures the report uses.
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';

/**
 * Runs autocannon for `seconds` (hard-stopped at seconds + 15 s) and summarises: 2xx per second,
 * latency percentiles of the 2xx answers in ms (to the µs), errors and non-2xx answers. `rate` fixes the offered load (req/s).
 */
export async function load({ url, connections, seconds, amount, rate, method = 'GET', headers, body, requests }) {
  // `amount`: a fixed number of requests instead of a duration (bench/ab.mjs compares CPU per request).
  const options = { url, connections, method, headers, body, requests, timeout: 10, ...(amount ? { amount } : { duration: seconds }) };
  if (rate) options.overallRate = rate;
  let instance;
  // autocannon's own histogram has 1 ms resolution; this one keeps microseconds (2xx only).
  const micros = createHistogram();
  const cpuBefore = process.cpuUsage();
  const result = await new Promise((resolve, reject) => {
    const guard = setTimeout(() => instance?.stop(), ((seconds ?? 120) + 15) * 1000);
    instance = autocannon(options, (error, res) => {
      clearTimeout(guard);
      if (error) reject(error);
      else resolve(res);
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) micros.record(Math.max(1, Math.round(ms * 1000)));
    });
  });
  const ms = (percentile) => (micros.count > 0 ? Math.round(micros.percentile(percentile) / 10) / 100 : null);
  const cpu = process.cpuUsage(cpuBefore);
  const ok = result['2xx'];
  const elapsed = result.duration || seconds;
  return {
    perSecond: Math.round(ok / elapsed),
    ok,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: ms(50),
    p90: ms(90),
    p99: ms(99),
    max: ms(100),
    // autocannon's figure: whole ms, and corrected for coordinated omission at a fixed rate.
    p99Autocannon: result.latency.p99,
    ...(result.non2xx > 0 ? { statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, v]) => [code, v.count])) } : {}),
    // This process (autocannon), in % of one core: is the load generator itself the limit?
    loadGeneratorCpuPercent: Math.round((cpu.user + cpu.system) / 1e4 / (result.duration || seconds)),
    connections,
    ...(rate ? { offeredRate: rate } : {}),
    seconds: Math.round(elapsed * 10) / 10,
  };
}

/** HTTP Basic for a client (RFC 6749 §2.3.1: each half form-urlencoded). */
export function basic(clientId, clientSecret) {
  const encode = (value) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export const FORM = 'application/x-www-form-urlencoded';

/**
 * Password grants for the confidential client, cycling over many accounts (all with the same
 * password), so that the per-account brute-force allowance refuses none of them.
 */
export function passwordGrantRequests({ tokenUrl, clientId, clientSecret, logins, password }) {
  let next = 0;
  return {
    url: tokenUrl,
    requests: [
      {
        method: 'POST',
        path: new URL(tokenUrl).pathname,
        headers: { 'content-type': FORM, authorization: basic(clientId, clientSecret) },
        setupRequest: (request) => ({
          ...request,
          body: new URLSearchParams({ grant_type: 'password', username: logins[next++ % logins.length], password }).toString(),
        }),
      },
    ],
  };
}
