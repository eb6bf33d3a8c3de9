import { StoreUnavailableError, type User, type UserStore } from '../../store/store.js';
import type { PasswordHasher } from '../passwords.js';
import type { CredentialCheck, CredentialVerifier } from './credential-verifier.js';

// The `local` auth method: Gatehouse's own user table. Every path costs one password
// verification, so that an attacker cannot tell an unknown login from a wrong password by timing
// (OWASP Authentication Cheat Sheet, "Authentication and Error Messages").

export interface LocalVerifierDependencies {
  readonly users: Pick<UserStore, 'findLocalByLogin' | 'upgradePasswordHash'>;
  readonly passwords: PasswordHasher;
  /** Told when a hash upgrade fails; the login itself still succeeds. */
  readonly onUpgradeFailure?: (userId: string, error: unknown) => void;
}

export function createLocalVerifier(authMethodId: string, deps: LocalVerifierDependencies): CredentialVerifier {
  const { users, passwords } = deps;
  return {
    authMethodId,
    // The same lookup verify() makes: email (any case) or username.
    async findAccount(username: string): Promise<string | null> {
      return (await users.findLocalByLogin(username))?.id ?? null;
    },
    async verify(username: string, password: string): Promise<CredentialCheck> {
      let user: User | null;
      try {
        user = await users.findLocalByLogin(username);
      } catch (error) {
        // A database outage proves nothing about the password: not a failed sign-in (503).
        if (error instanceof StoreUnavailableError) return { outcome: 'unavailable', reason: `the user store is unavailable: ${error.reason}` };
        throw error;
      }
      if (!user || user.passwordHash === null) {
        await passwords.verifyDummy(password);
        return { outcome: 'rejected' };
      }
      const { valid, needsRehash } = await passwords.verify(user.passwordHash, password);
      // Disabled is checked after the hash, so that it costs what a wrong password costs.
      if (!valid || user.disabled) return { outcome: 'rejected' };
      if (needsRehash) {
        // Imported bcrypt hashes and hashes made with older argon2 parameters are replaced now,
        // while the plaintext is at hand; conditional, so a password changed meanwhile wins.
        try {
          await users.upgradePasswordHash(user.id, user.passwordHash, await passwords.hash(password));
        } catch (error) {
          deps.onUpgradeFailure?.(user.id, error);
        }
      }
      return { outcome: 'accepted', user };
    },
  };
}
