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

export interface CredentialVerifier {
  /** The auth method's id from the config. */
  readonly authMethodId: string;
  verify(username: string, password: string): Promise<CredentialCheck>;
  /**
   * The Gatehouse user id of the account `username` reaches, without checking any password, or
   * null when it reaches none (or the method cannot tell before asking its service). Brute-force
   * counters count per account, whatever name reaches it (src/domain/brute-force/).
   */
  findAccount?(username: string): Promise<string | null>;
}
