// Loaded into every test file's process by scripts/run-tests.mjs (`--import`, which the test
// runner passes on to the processes it starts): at exit, appends the CPU seconds the file used —
// its own and that of the child processes it waited for (servers, the CLI, Chromium, Python) — to
// $GATEHOUSE_TEST_CPU_FILE. On a machine shared with other work, wall time says little about a
// file's cost; CPU time says what it takes from the others.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

const file = process.env.GATEHOUSE_TEST_CPU_FILE;
const testFile = process.argv.slice(1).find((arg) => arg.endsWith('.test.ts'));
const TICKS_PER_SECOND = 100; // Linux USER_HZ

if (file && testFile) {
  process.on('exit', () => {
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      // utime, stime, cutime, cstime: fields 14-17, counted after the command name's closing parenthesis.
      const [utime, stime, cutime, cstime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).map(Number);
      const own = (utime + stime) / TICKS_PER_SECOND;
      const children = (cutime + cstime) / TICKS_PER_SECOND;
      appendFileSync(file, `${(own + children).toFixed(1)} ${own.toFixed(1)} ${children.toFixed(1)} ${path.relative(process.cwd(), testFile)}\n`);
    } catch {
      // not Linux: no figure
    }
  });
}
