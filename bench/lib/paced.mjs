// An offered rate that is a rate: one request every 1000/rate ms, sent whether or not the earlier
// ones have been answered (open loop), over a pool of keep-alive connections. autocannon's
// overallRate is not that: each connection sends back to back, closed loop, until it has made its
// share of the second, then waits for the next one-second tick. 500/s over 8 connections arrived
// as a burst of 8 concurrent streams at the top of each second and silence after, so p99 measured
// the burst's queue; and a connection that had not made its share by the tick lost the rest, so a
// slower server was charged twice (a higher p99 and a lower delivered share) for one cause.
import http from 'node:http';
import { createHistogram } from 'node:perf_hooks';

/**
 * GETs `url` at `rate` per second for `seconds`, `headers(i)` for the i-th request, over up to
 * `connections` sockets (a request that finds them all busy waits for one, and that wait counts
 * in its latency). Answers are awaited up to `timeoutSeconds` each. Returns load()'s summary
 * (bench/lib/load.mjs); latencies run from the moment a request is handed to the connection pool
 * to its answer's end. This process shares the machine: how late it sent requests against the
 * schedule (its own event loop's delay, not the server's) is reported apart, as `lagMs` (p99 and max).
 */
export async function pacedLoad({ url, rate, seconds, connections, headers, timeoutSeconds = 10 }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const micros = createHistogram();
  const counts = { ok: 0, non2xx: 0, errors: 0, statusCodes: {} };
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const pending = new Set();
  const lag = createHistogram();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();

  const send = (i) => {
    const sentAt = performance.now();
    lag.record(Math.max(1, Math.round((sentAt - (started + i * interval)) * 1000)));
    const done = new Promise((resolve) => {
      const request = http.request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'GET', agent, headers: headers(i), timeout: timeoutSeconds * 1000 },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode;
            counts.statusCodes[status] = (counts.statusCodes[status] ?? 0) + 1;
            if (status >= 200 && status < 300) {
              counts.ok += 1;
              micros.record(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
            } else {
              counts.non2xx += 1;
            }
            resolve();
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', () => {
        counts.errors += 1;
        resolve();
      });
      request.end();
    });
    pending.add(done);
    done.then(() => pending.delete(done));
  };

  await new Promise((resolve) => {
    let sent = 0;
    const tick = () => {
      const dueNow = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
      while (sent < dueNow) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, started + sent * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  const sendingSeconds = (performance.now() - started) / 1000;
  await Promise.all(pending);
  agent.destroy();
  const cpu = process.cpuUsage(cpuBefore);
  const elapsed = (performance.now() - started) / 1000;
  const ms = (percentile) => (micros.count > 0 ? Math.round(micros.percentile(percentile) / 10) / 100 : null);
  return {
    perSecond: Math.round(counts.ok / seconds),
    ok: counts.ok,
    non2xx: counts.non2xx,
    errors: counts.errors,
    p50: ms(50),
    p90: ms(90),
    p99: ms(99),
    max: ms(100),
    ...(counts.non2xx > 0 ? { statusCodes: counts.statusCodes } : {}),
    loadGeneratorCpuPercent: Math.round((cpu.user + cpu.system) / 1e4 / elapsed),
    connections,
    offeredRate: rate,
    offered: total,
    // The offered window: `seconds`, plus however late the generator sent its last request.
    seconds: Math.round(sendingSeconds * 10) / 10,
    lagMs: { p99: Math.round(lag.percentile(99) / 100) / 10, max: Math.round(lag.max / 100) / 10 },
  };
}
