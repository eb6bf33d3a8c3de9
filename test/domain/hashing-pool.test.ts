import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hash } from '@node-rs/argon2';
import { createHashingPool, PasswordHashingBusy } from '../../src/domain/hashing-pool.js';
import { createPasswordHasher, OWASP_ARGON2ID } from '../../src/domain/passwords.js';

// The pool that keeps password hashing off the event loop's CPU share (issue 12): real worker
// threads, a real argon2id, the real kernel's view of their priority.

/** The nice value of every thread of this process (Linux /proc), by thread id. */
function threadNice(): Map<string, number> {
  return new Map(
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    }),
  );
}
/** The scheduling policy of every thread of this process (Linux /proc/…/sched), by thread id. */
function threadPolicies(): Map<string, number> {
  return new Map(readdirSync('/proc/self/task').map((tid) => [tid, Number(/^policy\s*:\s*(\d+)/m.exec(readFileSync(`/proc/self/task/${tid}/sched`, 'utf8'))?.[1])]));
}
const threadNiceValues = () => [...threadNice().values()];
const threadsAtNice = (nice: number) => [...threadNice()].filter(([, n]) => n === nice).map(([tid]) => tid);

test('threads start with the first hash and then stay', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const pool = createHashingPool({ threads: 2, maxQueued: 8, niceIncrement: 5, idleScheduling: false });
  t.after(() => pool.close());
  const hasher = createPasswordHasher(OWASP_ARGON2ID, pool);
  assert.deepEqual(threadsAtNice(5), [], 'no thread before the first hash');
  const stored = await hasher.hash('pw');
  const first = threadsAtNice(5);
  assert.equal(first.length, 1);
  for (let i = 0; i < 3; i += 1) assert.equal((await hasher.verify(stored, 'pw')).valid, true);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(threadsAtNice(5), first, 'the same thread served one task after another');
});

test('hashes and verifies on threads running below the event loop priority', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const pool = createHashingPool({ threads: 2, maxQueued: 8, niceIncrement: 7, idleScheduling: true });
  t.after(() => pool.close());
  const hasher = createPasswordHasher(OWASP_ARGON2ID, pool);
  const stored = await hasher.hash('correct horse');
  // Threads start as work arrives: two verifications at once take both.
  assert.deepEqual(await Promise.all([hasher.verify(stored, 'correct horse'), hasher.verify(stored, 'wrong horse')]), [
    { valid: true, needsRehash: false },
    { valid: false, needsRehash: false },
  ]);
  // A hash made on the pool verifies anywhere else, and the other way round.
  assert.equal((await createPasswordHasher().verify(stored, 'correct horse')).valid, true);
  const nice = threadNiceValues();
  assert.equal(nice.filter((n) => n === 7).length, 2, `two threads at nice 7: ${nice.join(' ')}`);
  assert.ok(nice.filter((n) => n === 0).length >= 1, 'the event loop keeps its priority');
  // sched(7): SCHED_IDLE is policy 5; every other thread of the process keeps SCHED_OTHER (0).
  const policies = threadPolicies();
  assert.deepEqual(threadsAtNice(7).map((tid) => policies.get(tid)), [5, 5], 'the hashing threads run under SCHED_IDLE');
  assert.equal(policies.get(String(process.pid)), 0, 'the event loop keeps SCHED_OTHER');
});

test('refuses verifications past the queue bound at once, and serves the rest', async (t) => {
  const pool = createHashingPool({ threads: 1, maxQueued: 3, niceIncrement: 0, idleScheduling: false });
  t.after(() => pool.close());
  const hasher = createPasswordHasher(OWASP_ARGON2ID, pool);
  const stored = await hash('pw', { algorithm: 2, ...OWASP_ARGON2ID });
  // Submitted in one tick: one runs, three wait, the other six are refused.
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => hasher.verify(stored, 'pw')));
  const served = outcomes.filter((o) => o.status === 'fulfilled');
  const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.equal(served.length, 4);
  for (const o of served) assert.deepEqual((o as PromiseFulfilledResult<unknown>).value, { valid: true, needsRehash: false });
  assert.equal(refused.length, 6);
  for (const o of refused) {
    assert.ok(o.reason instanceof PasswordHashingBusy);
    assert.ok(o.reason.retryAfterSeconds >= 1);
  }
  assert.deepEqual({ peak: pool.stats().peakQueued, refused: pool.stats().refused }, { peak: 3, refused: 6 });
  // The dummy verification (unknown users) is bounded the same way; hashing new passwords is not.
  await hasher.verifyDummy('x'); // makes the dummy hash
  const flood = Array.from({ length: 4 }, () => hasher.verifyDummy('x'));
  await assert.rejects(hasher.verifyDummy('x'), PasswordHashingBusy);
  assert.match(await hasher.hash('new password'), /^\$argon2id\$/);
  assert.deepEqual((await Promise.allSettled(flood)).map((o) => o.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  // Drained: accepted again.
  assert.equal((await hasher.verify(stored, 'pw')).valid, true);
});
