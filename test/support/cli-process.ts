import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';

// Runs the real `gatehouse` CLI in a child process, as an operator would: the built one
// (dist/cli/main.js) when `npm test` has just built it and says so in GATEHOUSE_TEST_CLI — it
// starts in a fraction of tsx's time — else the sources through tsx, so a test run by hand never
// runs a stale build.

const BUILT = process.env.GATEHOUSE_TEST_CLI;
const CLI_ARGS = BUILT ? [BUILT] : ['--import', 'tsx', path.resolve('src/cli/main.ts')];

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...nodeArgs, ...CLI_ARGS, ...args], {
    env: { ...process.env, GATEHOUSE_CONFIG: '', ...env },
    stdio: 'pipe',
  });
}

export interface CliOptions {
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Options for node itself, before the CLI's path (e.g. --import). */
  readonly nodeArgs?: readonly string[];
}

export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options.env ?? {}, options.nodeArgs);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

export interface ServingGatehouse {
  readonly publicUrl: string;
  readonly portalUrl: string;
  readonly store: string;
  /** The serving process's id (e.g. to read its memory from /proc). */
  readonly pid: number;
  /** Everything the process wrote to stdout so far (JSON log lines). */
  output(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gatehouse serve` and resolves once it logs that it is ready (or rejects if it exits). */
export function startServe(configPath: string, env: NodeJS.ProcessEnv = {}): Promise<ServingGatehouse> {
  const child = spawnCli(['serve', '--config', configPath], { GATEHOUSE_LOG_LEVEL: 'info', ...env });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of stdout.split('\n')) {
        if (!line.includes('"gatehouse ready"')) continue;
        const ready = JSON.parse(line) as { public: string; portal: string; store: string };
        resolve({
          publicUrl: ready.public,
          portalUrl: ready.portal,
          store: ready.store,
          pid: child.pid ?? 0,
          output: () => stdout,
          async stop(signal = 'SIGTERM') {
            child.kill(signal);
            const [code] = await exited;
            return code;
          },
        });
        return;
      }
    });
    void exited.then(([code]) => reject(new Error(`gatehouse serve exited with ${code}: ${stderr}`)));
  });
}
