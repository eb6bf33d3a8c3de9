import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// `npm start` as a person runs it (scripts/start-example.mjs under npm), in a process group of
// its own as a terminal would make it, on free ports and the data directory the test gives it.

export interface NpmStart {
  /** npm, scripts/start-example.mjs (npm's child) and `gatehouse serve` (the script's child). */
  readonly pids: { readonly npm: number; readonly script: number; readonly server: number };
  /** The public and portal listeners and the echo upstream. */
  readonly ports: readonly number[];
  readonly exited: Promise<unknown>;
  output(): string;
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((l) => l.trim()).map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** Running, and not a zombie waiting for a parent (init in a container may never reap it). */
export function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function startNpm(env: NodeJS.ProcessEnv): Promise<NpmStart> {
  const child: ChildProcessWithoutNullStreams = spawn('npm', ['start'], {
    detached: true,
    env: { ...process.env, GATEHOUSE_PUBLIC_PORT: '0', GATEHOUSE_PORTAL_PORT: '0', EXAMPLE_UPSTREAM_PORT: '0', ...env },
  });
  let output = '';
  const exited = once(child, 'exit');
  return new Promise((resolve, reject) => {
    let ready: { public: string; portal: string } | null = null;
    let echoPort: number | null = null;
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      ready ??= output.split('\n').filter((line) => line.includes('"gatehouse ready"')).map((line) => JSON.parse(line) as { public: string; portal: string })[0] ?? null;
      echoPort ??= Number(/echo upstream listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? 0) || null;
      if (!ready || !echoPort) return;
      const [script] = childrenOf(child.pid as number);
      const [server] = script === undefined ? [] : childrenOf(script);
      if (script === undefined || server === undefined) return reject(new Error(`npm start: no script or server process under npm ${child.pid}`));
      resolve({
        pids: { npm: child.pid as number, script, server },
        ports: [Number(new URL(ready.public).port), Number(new URL(ready.portal).port), echoPort],
        exited,
        output: () => output,
      });
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    void exited.then(([code]) => reject(new Error(`npm start exited with ${String(code)} before it was ready:\n${output}`)));
  });
}

/** Polls until none of the processes runs; false if some still do after `patienceMs` (a hang guard). */
export async function allGone(pids: readonly number[], patienceMs = 60_000): Promise<boolean> {
  for (const start = Date.now(); Date.now() - start < patienceMs; await sleep(100)) {
    if (!pids.some(isRunning)) return true;
  }
  return false;
}

/** Whether something accepts connections on 127.0.0.1:port. */
export async function isListening(port: number): Promise<boolean> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}
