// Summarises a V8 CPU profile (node --cpu-prof; `node bench/run.mjs --focus --cpu-prof DIR`):
// share of samples by where the code lives (Gatehouse's dist/, each package, Node's internals,
// GC, idle) and the top functions by self time. Usage: profile-summary.mjs <file.cpuprofile> [top N]
// [--stalls MS]: also every stretch of at least MS ms in which the thread was never idle (what a
// request that arrived then waited behind), with where its samples were; a long gap between two
// samples inside one is time the thread was runnable but off the CPU.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const stallsAt = argv.indexOf('--stalls');
const stallMs = stallsAt >= 0 ? Number(argv[stallsAt + 1]) : null;
const [file, topArg] = argv.filter((_, i) => stallsAt < 0 || (i !== stallsAt && i !== stallsAt + 1));
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
const total = profile.samples.length;

function where(frame) {
  const url = frame.url ?? '';
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(idle)') return 'idle';
  if (frame.functionName === '(program)') return 'program (native, unattributed)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.includes('/dist/')) return `gatehouse ${url.slice(url.indexOf('/dist/') + 6)}`;
  if (url.startsWith('node:')) return url;
  if (url === '') return `(native) ${frame.functionName || '(anonymous)'}`;
  return url.split('/').slice(-2).join('/');
}

const groups = new Map();
const functions = new Map();
for (const [id, count] of self) {
  const frame = byId.get(id).callFrame;
  const group = where(frame);
  groups.set(group, (groups.get(group) ?? 0) + count);
  const name = `${frame.functionName || '(anonymous)'} ${group}:${frame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + count);
}
const pct = (n) => `${((n / total) * 100).toFixed(1).padStart(5)}%`;
const top = Number(topArg ?? 25);
console.log(`${total} samples (${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s)\n\nby place:`);
for (const [group, n] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${group}`);
console.log('\nby function (self):');
for (const [name, n] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${name}`);

if (stallMs !== null) {
  console.log(`\nstretches of ${stallMs} ms or more without an idle sample:`);
  const isIdle = (id) => byId.get(id).callFrame.functionName === '(idle)';
  let at = 0;
  let start = null;
  let inStretch = [];
  let longestGap = 0;
  const flush = (end) => {
    if (start !== null && (end - start) / 1000 >= stallMs) {
      const places = new Map();
      for (const id of inStretch) places.set(where(byId.get(id).callFrame), (places.get(where(byId.get(id).callFrame)) ?? 0) + 1);
      const top3 = [...places].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([p, n]) => `${p} ${n}`).join(', ');
      console.log(`  at ${(start / 1e6).toFixed(3)} s: ${((end - start) / 1000).toFixed(1)} ms, ${inStretch.length} samples, longest gap ${(longestGap / 1000).toFixed(1)} ms: ${top3}`);
    }
    start = null;
    inStretch = [];
    longestGap = 0;
  };
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (isIdle(id)) return flush(at);
    if (start === null) start = at - delta;
    else longestGap = Math.max(longestGap, delta);
    inStretch.push(id);
  });
  flush(at);
}
