// The test runner's own process for scripts/run-tests.mjs: runs the files it is given with
// node:test's run(), in the order given, `--concurrency` at a time, reporting with spec to stdout
// and per-file timings to `--timings`. `node --test FILE...` would sort the files by name first,
// and run-tests.mjs starts the longest first. Node options given to this process (--import,
// --enable-source-maps) pass on to each file's process, as with `node --test`.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { parseArgs } from 'node:util';
import fileTimings from './file-timings-reporter.mjs';

const { values, positionals } = parseArgs({
  options: {
    concurrency: { type: 'string' },
    timings: { type: 'string' },
    'test-name-pattern': { type: 'string', multiple: true },
    'test-only': { type: 'boolean' },
  },
  allowPositionals: true,
});
const stream = run({
  files: positionals.map((file) => path.resolve(file)),
  concurrency: Number(values.concurrency),
  testNamePatterns: values['test-name-pattern'],
  only: values['test-only'],
});
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(new spec()).pipe(process.stdout);
if (values.timings) stream.compose(fileTimings).pipe(createWriteStream(values.timings));
