import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { PasswordHashingBusy, type Argon2Engine } from './hashing-pool.js';

// Password hashing. argon2id with OWASP's parameters (Password Storage Cheat Sheet: m=19 MiB,
// t=2, p=1), off the event loop: in a server on the low-priority pool of hashing-pool.ts, which
// refuses verifications (PasswordHashingBusy) when its queue is full; elsewhere (CLI, seeding,
// tests) on libuv's thread pool through @node-rs/argon2's async calls. bcrypt hashes
// imported from another system still verify (bcryptjs, which yields to the event loop between
// rounds; it runs once per imported user), and are upgraded at the next successful login.

export interface Argon2Parameters {
  readonly memoryCost: number; // KiB
  readonly timeCost: number; // passes
  readonly parallelism: number; // lanes
}

export const OWASP_ARGON2ID: Argon2Parameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const ARGON2ID = 2; // Algorithm.Argon2id: a const enum, not importable under isolatedModules
const BCRYPT_PREFIX = /^\$2[aby]\$\d\d\$/;

export interface PasswordVerification {
  readonly valid: boolean;
  /** The hash is valid but made with other parameters or another algorithm: store a new one. */
  readonly needsRehash: boolean;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string, password: string): Promise<PasswordVerification>;
  /** Costs what a real verification costs, for users that do not exist (no enumeration by timing). */
  verifyDummy(password: string): Promise<void>;
}

/** Unicode-normalises so that the same password typed on two keyboards hashes the same. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

export function isBcryptHash(storedHash: string): boolean {
  return BCRYPT_PREFIX.test(storedHash);
}

/** argon2id on libuv's thread pool: unbounded, for one-off hashing outside a server. */
export const LIBUV_ARGON2: Argon2Engine = {
  hash: (password, options) => argon2Hash(password, options),
  verify: (storedHash, password) => argon2Verify(storedHash, password),
};

/** A verification that failed for any reason but a busy engine is a mismatch. */
const mismatchUnlessBusy = (error: unknown): false => {
  if (error instanceof PasswordHashingBusy) throw error;
  return false;
};

export function createPasswordHasher(parameters: Argon2Parameters = OWASP_ARGON2ID, engine: Argon2Engine = LIBUV_ARGON2): PasswordHasher {
  const options = { algorithm: ARGON2ID, ...parameters };
  let dummyHash: Promise<string> | null = null;

  const hash = (password: string) => engine.hash(normalisePassword(password), options);

  const isCurrent = (storedHash: string): boolean => {
    try {
      const parsed = parseOptions(storedHash);
      return (
        (parsed.algorithm as number) === ARGON2ID &&
        parsed.memoryCost === parameters.memoryCost &&
        parsed.timeCost === parameters.timeCost &&
        parsed.parallelism === parameters.parallelism
      );
    } catch {
      return false;
    }
  };

  return {
    hash,
    async verify(storedHash, password) {
      if (isBcryptHash(storedHash)) {
        // Legacy systems hashed the bytes they were given, without normalising.
        const valid = await bcrypt.compare(password, storedHash).catch(() => false);
        return { valid, needsRehash: valid };
      }
      if (!storedHash.startsWith('$argon2')) return { valid: false, needsRehash: false };
      const valid = await engine.verify(storedHash, normalisePassword(password)).catch(mismatchUnlessBusy);
      return { valid, needsRehash: valid && !isCurrent(storedHash) };
    },
    async verifyDummy(password) {
      dummyHash ??= hash(randomBytes(32).toString('base64url'));
      await engine.verify(await dummyHash, normalisePassword(password)).catch(mismatchUnlessBusy);
    },
  };
}
