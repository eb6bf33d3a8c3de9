import type { User } from '../../store/store.js';

// What the password grant asks of an auth method (fosite's `authenticate(username, password) →
// subject`): verify one username + password, and name the Gatehouse user it belongs to.

export type CredentialCheck =
  /** The password is right; `user` is the Gatehouse record of that identity. */
  | { readonly outcome: 'accepted'; readonly user: User }
  /** Unknown user, wrong password, disabled user: deliberately indistinguishable. */
  | { readonly outcome: 'rejected' }
  /** The auth method could not answer (an external service timed out, failed, or talked nonsense). */
  | { readonly outcome: 'unavailable'; readonly reason: string };

/**
 * The account a user name reaches, as findAccount found it. Handed back to verify for the same
 * name, so that a sign-in reads the account once (issue 12: one store round trip fewer per
 * password grant); a method may carry what it read in its own subtype.
 */
export interface FoundAccount {
  /** The Gatehouse user id; null when the name reaches none (or the method cannot tell before asking its service). */
  readonly userId: string | null;
}

export interface CredentialVerifier {
  /** The auth method's id from the config. */
  readonly authMethodId: string;
  /** `found`: what this verifier's findAccount returned for the same `username`, if it was asked. */
  verify(username: string, password: string, found?: FoundAccount): Promise<CredentialCheck>;
  /**
   * The account `username` reaches, without checking any password. Brute-force counters count
   * per account, whatever name reaches it (src/domain/brute-force/).
   */
  findAccount?(username: string): Promise<FoundAccount>;
}
