import { hash, randomFillSync, timingSafeEqual } from 'node:crypto';

// Bearer values: access tokens, refresh tokens and client secrets. 256 bits from the CSPRNG
// (RFC 6749 §10.10 asks for a probability of guessing of at most 2^-128; RFC 6750 §5.2), encoded
// base64url so that they travel in headers, forms and JSON without escaping (RFC 4648 §5).
//
// The store only ever sees SHA-256 of a value. A slow password hash is not needed here: the
// values are uniformly random and far too long to brute-force, so one fast hash keeps a database
// leak from handing out live credentials while lookups stay a single index probe.

const TOKEN_BYTES = 32; // 256 bits

/** A token is 43 characters; anything much longer is not one of ours and is refused unhashed. */
export const MAX_TOKEN_LENGTH = 512;

// The CSPRNG is asked for a batch of token bytes at a time (as Node's own randomUUID does): one
// getrandom per 128 tokens instead of one per token, which was 5.7% of a refresh grant's CPU.
// Each byte is handed out once; the batch is refilled when used up, never reused.
const RANDOM_BATCH = Buffer.alloc(TOKEN_BYTES * 128);
let randomOffset = RANDOM_BATCH.length;

export function newTokenValue(): string {
  if (randomOffset === RANDOM_BATCH.length) {
    randomFillSync(RANDOM_BATCH);
    randomOffset = 0;
  }
  const value = RANDOM_BATCH.toString('base64url', randomOffset, randomOffset + TOKEN_BYTES);
  randomOffset += TOKEN_BYTES;
  return value;
}

/** SHA-256 of the value, lower-case hex: the form in which tokens and client secrets are stored. */
// crypto.hash, the one-shot form: a third of createHash's cost, and the gateway hashes every request's token.
export function hashTokenValue(value: string): string {
  return hash('sha256', value, 'hex');
}

/** Compares a presented value with a stored SHA-256 hex digest in constant time. */
export function matchesTokenHash(value: string, storedHash: string): boolean {
  const presented = Buffer.from(hashTokenValue(value), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  // Both are 32 bytes when the stored hash is well-formed; the length check leaks nothing secret.
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
