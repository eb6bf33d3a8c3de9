import type { PasswordHasher } from '../domain/passwords.js';
import type { GatehouseMetrics } from './metrics.js';

// Password hashing time as the token endpoint feels it: queueing for a hashing slot included,
// since that wait is what grows first when sign-ins flood in.

export function withHashMetrics(hasher: PasswordHasher, metrics: GatehouseMetrics): PasswordHasher {
  const hashing = metrics.passwordHashSeconds.labels('hash');
  const verifying = metrics.passwordHashSeconds.labels('verify');
  const time = async <T>(histogram: typeof hashing, work: () => Promise<T>): Promise<T> => {
    const stop = histogram.startTimer();
    try {
      return await work();
    } finally {
      stop();
    }
  };
  return {
    hash: (password) => time(hashing, () => hasher.hash(password)),
    verify: (storedHash, password) => time(verifying, () => hasher.verify(storedHash, password)),
    verifyDummy: (password) => time(verifying, () => hasher.verifyDummy(password)),
  };
}
