// Runs every test/**/*.test.ts with Node's own test runner. Node 20's runner cannot glob, so the
// files are listed here; extra arguments pass through to `node --test`. The TypeScript is
// transpiled first into .test-build/ (scripts/build-tests.mjs: about a second) and run as
// JavaScript with source maps: through tsx's loader, each file's process spent about 1.2 s more
// CPU on loading modules. A single file by hand still runs with `node --import tsx --test FILE`.
//
// Speed (issue 15): dist/ is built first when stale, and the tests that spawn the CLI spawn the
// built one (test/support/cli-process.ts), not tsx; and several files run at once. Node 20's
// runner defaults to one file per core minus one, which is one file at a time on two cores, but
// most of a test file's time is waiting (for child processes, servers, Chromium), so it runs
// twice as many files as there are cores unless --test-concurrency says otherwise. Each file
// still runs in a process of its own, with its own servers, temp directories and PostgreSQL
// schema. Per-file times go to test-results/file-timings.txt, and the CPU time of each file (with
// the processes it started) to test-results/file-cpu.txt, dearest first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIfStale, builtCli } from './build-if-stale.mjs';
import { buildTests, TEST_BUILD } from './build-tests.mjs';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const args = process.argv.slice(2);
const filters = args.filter((a) => !a.startsWith('--'));
const options = args.filter((a) => a.startsWith('--'));
const files = testFiles('test')
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
if (!buildIfStale()) process.exit(1);
await buildTests();
const built = files.map((file) => path.join(path.relative(process.cwd(), TEST_BUILD), file.replace(/\.ts$/, '.js')));

const concurrency = options.some((o) => o.startsWith('--test-concurrency')) ? [] : [`--test-concurrency=${os.availableParallelism() * 2}`];
mkdirSync('test-results', { recursive: true });
const reporters = (timings) => [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/file-timings-reporter.mjs',
  `--test-reporter-destination=${timings}`,
];
const cpuFile = 'test-results/file-cpu.txt';
writeFileSync(cpuFile, '');
const recorder = ['--import', './scripts/file-cpu-recorder.mjs'];
const run = (group, groupOptions, timings) =>
  spawnSync(process.execPath, ['--enable-source-maps', ...recorder, '--test', ...reporters(timings), ...groupOptions, ...options, ...group], {
    stdio: 'inherit',
    env: { ...process.env, GATEHOUSE_TEST_CLI: builtCli, GATEHOUSE_TEST_CPU_FILE: cpuFile },
  }).status ?? 1;
// Files that compare a bystander's latency under attack with its idle latency (issue 11: p99 ≤ 2×
// idle) run after the others, one at a time: beside three other test files on two cores, the
// ratio measures the other files, not the gateway.
const ALONE = ['test/gateway/hostile-clients.test.js'];
const alone = built.filter((file) => ALONE.some((name) => file.endsWith(name)));
const together = built.filter((file) => !alone.includes(file));
const statuses = [
  together.length > 0 ? run(together, concurrency, 'test-results/file-timings.txt') : 0,
  alone.length > 0 ? run(alone, ['--test-concurrency=1'], 'test-results/file-timings-alone.txt') : 0,
];
const rows = readFileSync(cpuFile, 'utf8').split('\n').filter(Boolean).sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
const total = rows.reduce((sum, row) => sum + Number.parseFloat(row), 0);
writeFileSync(cpuFile, `# ${rows.length} files, ${total.toFixed(0)} CPU s in all\n#  all s  own s  children s  file\n${rows.map((row) => `${row}\n`).join('')}`);
process.exit(statuses.find((status) => status !== 0) ?? 0);
