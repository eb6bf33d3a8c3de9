// Runs every test/**/*.test.ts (or those whose path contains an argument) with Node's own test
// runner, through its run() (scripts/run-test-files.mjs), which keeps the order given: the longest
// files first. Node 20's runner cannot glob, so the files are listed here; --test-concurrency=N,
// --test-name-pattern=P and --test-only pass on to the runner. The TypeScript is
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
// The longest files start first, so that the run does not end on one of them while the other
// slots stand empty: alphabetically, the browser walks (test/portal/) came last and were the run's
// tail. By each file's process wall time in a whole run (test-results/file-cpu.txt; under load:
// the order is what counts), longest first; every other file after them, alphabetically.
const LONGEST_FIRST = [
  'test/portal/portal-layout.test.ts',
  'test/portal/portal-walk-desktop.test.ts',
  'test/portal/portal-walk-phone.test.ts',
  'test/portal/portal.test.ts',
  'test/management/cli.test.ts',
  'test/cli/npm-start.test.ts',
  'test/cli/cli.test.ts',
  'test/cli/example.test.ts',
  'test/portal/portal-forms.test.ts',
  'test/clients/python-clients.test.ts',
  'test/fuzz/hostile-requests.test.ts',
  'test/cli/database-startup.test.ts',
  'test/clients/node-clients.test.ts',
  'test/gateway/rate-limit-redis-outage.test.ts',
  'test/cli/cli-start-up.test.ts',
  'test/oauth/sign-in-browser.test.ts',
  'test/oauth/seed-curl.test.ts',
];
const rank = (file) => (LONGEST_FIRST.includes(file) ? LONGEST_FIRST.indexOf(file) : LONGEST_FIRST.length);
const files = testFiles('test')
  .filter((f) => filters.length === 0 || filters.some((needle) => f.includes(needle)))
  .sort()
  .sort((a, b) => rank(a) - rank(b));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
if (!(await buildIfStale())) process.exit(1);
await buildTests();
const built = files.map((file) => path.join(path.relative(process.cwd(), TEST_BUILD), file.replace(/\.ts$/, '.js')));

// Options for the runner (scripts/run-test-files.mjs): the files' concurrency, and test names.
const known = /^--(test-concurrency|test-name-pattern)=|^--test-only$/;
const unknown = options.filter((option) => !known.test(option));
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(' ')}: npm test takes --test-concurrency=N, --test-name-pattern=P and --test-only`);
  process.exit(1);
}
const concurrencyOption = options.find((o) => o.startsWith('--test-concurrency='));
const concurrency = concurrencyOption ? Number(concurrencyOption.split('=')[1]) : os.availableParallelism() * 2;
const passed = options.filter((o) => !o.startsWith('--test-concurrency='));
mkdirSync('test-results', { recursive: true });
const cpuFile = 'test-results/file-cpu.txt';
writeFileSync(cpuFile, '');
const recorder = ['--import', './scripts/file-cpu-recorder.mjs'];
const run = (group, groupConcurrency, timings) =>
  spawnSync(
    process.execPath,
    ['--enable-source-maps', ...recorder, 'scripts/run-test-files.mjs', `--concurrency=${groupConcurrency}`, `--timings=${timings}`, ...passed, ...group],
    { stdio: 'inherit', env: { ...process.env, GATEHOUSE_TEST_CLI: builtCli, GATEHOUSE_TEST_CPU_FILE: cpuFile } },
  ).status ?? 1;
// Files that compare a bystander's latency under attack with its idle latency (issue 11: p99 ≤ 2×
// idle) run after the others, one at a time: beside three other test files on two cores, the
// ratio measures the other files, not the gateway.
const ALONE = ['test/gateway/hostile-clients.test.js'];
const alone = built.filter((file) => ALONE.some((name) => file.endsWith(name)));
const together = built.filter((file) => !alone.includes(file));
const statuses = [
  together.length > 0 ? run(together, concurrency, 'test-results/file-timings.txt') : 0,
  alone.length > 0 ? run(alone, 1, 'test-results/file-timings-alone.txt') : 0,
];
const rows = readFileSync(cpuFile, 'utf8').split('\n').filter(Boolean).sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
const total = rows.reduce((sum, row) => sum + Number.parseFloat(row), 0);
writeFileSync(cpuFile, `# ${rows.length} files, ${total.toFixed(0)} CPU s in all\n#  all s  own s  children s  wall s  file\n${rows.map((row) => `${row}\n`).join('')}`);
process.exit(statuses.find((status) => status !== 0) ?? 0);
