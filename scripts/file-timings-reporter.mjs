// A second reporter for `npm test` (scripts/run-tests.mjs): how long each test file took, slowest
// first, written to test-results/file-timings.txt, to find what to speed up. "wall" is from the
// file's start (the runner dequeues it; every file is enqueued at once) to its last reported
// result: exact when files run one at a time; with several at once the runner holds back a
// file's results until the files before it are reported, so it then over-counts. "tests" is the
// sum of its top-level tests' own durations (module set-up excluded).
import { sourceName } from './file-cpu-recorder.mjs';

export default async function* fileTimings(source) {
  const files = new Map();
  const started = Date.now();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    const name = sourceName(file);
    if (event.type === 'test:enqueue') continue;
    const entry = files.get(name) ?? { first: Date.now(), last: Date.now(), tests: 0 };
    entry.last = Date.now();
    const isFileItself = event.data.name === file;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && !isFileItself) {
      entry.tests += event.data.details?.duration_ms ?? 0;
    }
    files.set(name, entry);
  }
  const rows = [...files].sort(([, a], [, b]) => b.last - b.first - (a.last - a.first));
  yield `# ${rows.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`;
  yield '#  wall s  tests s  file\n';
  for (const [name, { first, last, tests }] of rows) {
    yield `${((last - first) / 1000).toFixed(1).padStart(8)} ${(tests / 1000).toFixed(1).padStart(8)}  ${name}\n`;
  }
}
