// The physical limit of the password grant: argon2id verifications per second on this machine,
// with Gatehouse's own parameters and library, `concurrency` at once on libuv's thread pool (the
// bench sets UV_THREADPOOL_SIZE to match). Usage: argon2-raw.mjs <seconds> <concurrency>.
// Prints one JSON line: {"perSecond", "verifications", "concurrency", "seconds", "cpuMicrosPerVerification"}
// (this process's CPU over the measured window: what one verification costs, whatever the neighbours).
import { hash, verify } from '@node-rs/argon2';
import { OWASP_ARGON2ID } from '../dist/domain/passwords.js';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? process.env.UV_THREADPOOL_SIZE ?? 4);
const stored = await hash('bench-password', { algorithm: 2, ...OWASP_ARGON2ID });
await verify(stored, 'bench-password'); // warm up

let verifications = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const deadline = started + seconds * 1000;
async function worker() {
  while (performance.now() < deadline) {
    if (!(await verify(stored, 'bench-password'))) throw new Error('argon2 verification failed');
    verifications += 1;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuMicrosPerVerification = Math.round((cpu.user + cpu.system) / verifications);
console.log(JSON.stringify({ perSecond: verifications / elapsed, verifications, concurrency, seconds: elapsed, cpuMicrosPerVerification }));
