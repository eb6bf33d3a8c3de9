import { StoreUnavailableError, type User, type UserStore } from '../../store/store.js';
import type { PasswordHasher } from '../passwords.js';
import type { CredentialCheck, CredentialVerifier, FoundAccount } from './credential-verifier.js';

// The `local` auth method: Gatehouse's own user table. Every path costs one password
// verification, so that an attacker cannot tell an unknown login from a wrong password by timing
// (OWASP Authentication Cheat Sheet, "Authentication and Error Messages").

export interface LocalVerifierDependencies {
  readonly users: Pick<UserStore, 'findLocalByLogin' | 'upgradePasswordHash'>;
  readonly passwords: PasswordHasher;
  /** Told when a hash upgrade fails; the login itself still succeeds. */
  readonly onUpgradeFailure?: (userId: string, error: unknown) => void;
}

/** The user row findAccount read, which verify then checks the password against. */
class LocalAccount implements FoundAccount {
  readonly user: User | null;
  constructor(user: User | null) {
    this.user = user;
  }
  get userId(): string | null {
    return this.user?.id ?? null;
  }
}

export function createLocalVerifier(authMethodId: string, deps: LocalVerifierDependencies): CredentialVerifier {
  const { users, passwords } = deps;
  return {
    authMethodId,
    // The same lookup verify() makes: email (any case) or username.
    async findAccount(username: string): Promise<FoundAccount> {
      return new LocalAccount(await users.findLocalByLogin(username));
    },
    async verify(username: string, password: string, found?: FoundAccount): Promise<CredentialCheck> {
      let user: User | null;
      try {
        // The row findAccount read for this sign-in a moment ago: a password changed in between
        // is a race the sign-in could lose just as well right after its own lookup.
        user = found instanceof LocalAccount ? found.user : await users.findLocalByLogin(username);
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
