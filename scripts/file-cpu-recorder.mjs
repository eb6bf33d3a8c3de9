// Loaded into every test file's process by scripts/run-tests.mjs (`--import`, which the test
// runner passes on to the processes it starts): at exit, appends the CPU seconds the file used —
// its own and that of the child processes it waited for (servers, the CLI, Chromium, Python) — to
// $GATEHOUSE_TEST_CPU_FILE, with the seconds the file's process lived (its wall time, exact even
// when several files run at once, unlike the reporter's). On a machine shared with other work,
// wall time says little about a file's cost; CPU time says what it takes from the others.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

const file = process.env.GATEHOUSE_TEST_CPU_FILE;
// Only in the processes the runner starts for the files (the runner itself lists them all).
const testFile = process.env.NODE_TEST_CONTEXT ? process.argv.slice(1).find((arg) => /\.test\.(ts|js)$/.test(arg)) : undefined;
const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** test/x.test.ts for .test-build/test/x.test.js (scripts/build-tests.mjs). */
export function sourceName(file) {
  return path.relative(process.cwd(), file).replace(/^\.test-build\//, '').replace(/\.js$/, '.ts');
}

if (file && testFile) {
  process.on('exit', () => {
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      // utime, stime, cutime, cstime: fields 14-17, counted after the command name's closing parenthesis.
      const [utime, stime, cutime, cstime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
      const own = (utime + stime) / TICKS_PER_SECOND;
      const children = (cutime + cstime) / TICKS_PER_SECOND;
      appendFileSync(file, `${(own + children).toFixed(1)} ${own.toFixed(1)} ${children.toFixed(1)} ${process.uptime().toFixed(1)} ${sourceName(testFile)}\n`);
    } catch {
      // not Linux: no figure
    }
  });
}
