// Every process the bench starts goes through here, so that none outlives the bench: on normal
// exit, on an error, and on SIGINT/SIGTERM, whatever is still running gets SIGKILL.
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';

const running = new Set();
const tempDirs = new Set();

function killAll() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  running.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** Removed when the bench exits, whatever way it exits. */
export function trackTempDir(dir) {
  tempDirs.add(dir);
  return dir;
}

/**
 * spawn(), with stdout/stderr captured (the last 64 KiB) and the child killed when the bench exits.
 * With `stdoutFile`, stdout goes to that file instead: a server's request log must not cost the
 * bench's own process (the load generator) the CPU of reading it.
 */
export function startChild(command, args, { stdoutFile, ...options } = {}) {
  const fd = stdoutFile ? openSync(stdoutFile, 'a') : null;
  const child = spawn(command, args, { stdio: ['ignore', fd ?? 'pipe', 'pipe'], ...options });
  if (fd !== null) closeSync(fd);
  running.add(child);
  child.output = '';
  const keep = (chunk) => {
    child.output = (child.output + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    resolve({ code, signal });
  }));
  return child;
}

/** Resolves with the first line of output matching `pattern`; rejects on exit or after timeoutMs. */
export function waitForOutput(child, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) finish(() => resolve(line));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern}: ${child.output.slice(-2000)}`))), timeoutMs);
    const onExit = () => finish(() => reject(new Error(`exited before ${pattern}: ${child.output.slice(-2000)}`)));
    function finish(settle) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      settle();
    }
    child.stdout?.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
}

/** SIGTERM, then SIGKILL if it has not exited after graceMs. */
export async function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** Resident and peak resident memory of a live process, in MB (Linux /proc). */
export async function memoryOf(pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakRssMB: Math.round(kb('VmHWM') / 1024) };
}

/** CPU seconds (user + system) a live process has used so far (Linux /proc, clock ticks of 10 ms). */
export async function cpuSecondsOf(pid) {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * User + system CPU seconds of every live PostgreSQL process on the machine (the backends serving
 * the pool, the WAL writer, the checkpointer): what a statement costs on the server's side.
 */
export async function postgresCpuSeconds() {
  const { readdir, readFile } = await import('node:fs/promises');
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat.includes('(postgres)')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) / 100;
  }
  return total;
}

/**
 * Waits until a process is idle (under 10% of a core over half a second): a server still working
 * through requests that the load generator has given up on is not idle, even if it answers probes.
 */
export async function waitIdle(pid, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  let last = await cpuSecondsOf(pid);
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await cpuSecondsOf(pid);
    if (now - last < 0.05) return;
    last = now;
  }
  throw new Error(`process ${pid} still busy after ${timeoutMs} ms`);
}
