// The store contract: every record Gatehouse persists and every operation on it. Two backends
// implement it (embedded SQLite, PostgreSQL) and both pass test/store/conformance.ts.
//
// Conventions: times are milliseconds since the epoch; a lookup that finds nothing returns null;
// token values and client secrets never reach the store, only their SHA-256 / password hash.

export type ClientType = 'confidential' | 'public';
export type SubscriptionStatus = 'pending' | 'approved' | 'declined';

export interface User {
  readonly id: string;
  /** The auth method that owns this identity: `local`, or the id of an external method. */
  readonly authMethod: string;
  /** The external service's `sub`; null for local users. */
  readonly externalSub: string | null;
  /** Lower-cased. */
  readonly email: string | null;
  readonly username: string | null;
  readonly name: string | null;
  readonly passwordHash: string | null;
  readonly groups: readonly string[];
  readonly admin: boolean;
  /** Groups whose APIs' subscriptions this user may approve. */
  readonly approverOf: readonly string[];
  readonly disabled: boolean;
  /** A self sign-up awaiting an admin's decision; such a user is also disabled. */
  readonly pending: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly passwordChangedAt: number | null;
}

export interface NewUser {
  readonly authMethod: string;
  readonly externalSub?: string | null;
  readonly email?: string | null;
  readonly username?: string | null;
  readonly name?: string | null;
  readonly passwordHash?: string | null;
  readonly groups?: readonly string[];
  readonly admin?: boolean;
  readonly approverOf?: readonly string[];
  readonly disabled?: boolean;
  /** true: created disabled, awaiting approval (self sign-up in `approval` mode). */
  readonly pending?: boolean;
}

export type SignUpDecision = 'approve' | 'decline';

export type UserPatch = Partial<Pick<User, 'email' | 'username' | 'name' | 'groups' | 'admin' | 'approverOf' | 'disabled'>>;

export interface ExternalProfile {
  readonly sub: string;
  /** Absent (undefined): an existing record keeps its email, a new one has none. */
  readonly email?: string | null;
  readonly name?: string | null;
  readonly groups?: readonly string[];
}

export interface Application {
  readonly id: string;
  readonly name: string;
  readonly clientType: ClientType;
  readonly redirectUris: readonly string[];
  readonly ownerIds: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewApplication {
  readonly name: string;
  readonly clientType: ClientType;
  readonly redirectUris?: readonly string[];
  readonly ownerIds: readonly string[];
}

export type ApplicationPatch = Partial<Pick<Application, 'name' | 'clientType' | 'redirectUris' | 'ownerIds'>>;

export interface Subscription {
  readonly id: string;
  readonly applicationId: string;
  readonly apiId: string;
  readonly plan: string;
  readonly trusted: boolean;
  readonly status: SubscriptionStatus;
  /** Unique across all subscriptions; null until credentials are issued. */
  readonly clientId: string | null;
  readonly clientSecretHash: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SubscribedClient {
  readonly subscription: Subscription;
  readonly application: Application;
}

/** What a compare-and-set update of a subscription checks (updatedAt alone can repeat within a millisecond). */
export type SubscriptionVersion = Pick<Subscription, 'updatedAt' | 'status' | 'trusted' | 'plan' | 'clientSecretHash'>;

export interface NewSubscription {
  readonly applicationId: string;
  readonly apiId: string;
  readonly plan: string;
  readonly trusted: boolean;
  readonly status: SubscriptionStatus;
  readonly clientId?: string | null;
  readonly clientSecretHash?: string | null;
}

export type SubscriptionPatch = Partial<
  Pick<Subscription, 'plan' | 'trusted' | 'status' | 'clientId' | 'clientSecretHash' | 'decidedBy' | 'decidedAt'>
>;

/** The grant that started a login; its refresh tokens rotate under that grant's rules. */
export type LoginGrant = 'password' | 'authorization_code' | 'client_credentials';

/**
 * One login (password or authorization code grant): its refresh tokens rotate, its access tokens
 * all belong to it. A client-credentials grant (RFC 6749 §4.4) is a family without a user and
 * without refresh tokens.
 */
export interface TokenFamily {
  readonly id: string;
  readonly grantType: LoginGrant;
  readonly subscriptionId: string;
  readonly applicationId: string;
  readonly apiId: string;
  readonly authMethod: string;
  /** null: the client acts for itself (client credentials). */
  readonly userId: string | null;
  /** Space-separated, as on the wire (RFC 6749 §3.3). */
  readonly scope: string;
  readonly createdAt: number;
  /** The absolute end of the login (session lifetime). */
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly revokedReason: string | null;
}

/** `grantType` defaults to the password grant. */
export type NewTokenFamily = Omit<TokenFamily, 'revokedAt' | 'revokedReason' | 'grantType'> & { readonly grantType?: LoginGrant };

export interface TokenHandle {
  /** SHA-256 of the token value, hex. */
  readonly hash: string;
  readonly expiresAt: number;
}

export interface AccessTokenRecord {
  readonly hash: string;
  readonly familyId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly family: TokenFamily;
}

export interface RefreshTokenRecord {
  readonly hash: string;
  readonly familyId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly consumedAt: number | null;
  /** Hash of the refresh token that replaced this one when it was consumed. */
  readonly replacedBy: string | null;
  readonly family: TokenFamily;
}

export interface TokenPair {
  readonly accessToken: TokenHandle;
  readonly refreshToken: TokenHandle;
}

/** A family's first tokens: a pair, or an access token alone (client credentials, RFC 6749 §4.4.3). */
export interface FirstTokens {
  readonly accessToken: TokenHandle;
  readonly refreshToken?: TokenHandle | undefined;
}

/** Who presents a refresh token: its family must have been issued to them (RFC 6749 §6). */
export interface RefreshTokenHolder {
  readonly subscriptionId: string;
  readonly apiId: string;
  readonly authMethod: string;
}

/**
 * The outcome of presenting a refresh token for rotation. Only `rotated` changed anything; the
 * others report what the store found so that the domain can decide (reuse detection, grace).
 */
export type RotationResult =
  | { readonly outcome: 'rotated'; readonly family: TokenFamily }
  | { readonly outcome: 'already-consumed'; readonly token: RefreshTokenRecord }
  | { readonly outcome: 'not-usable'; readonly token: RefreshTokenRecord }
  | { readonly outcome: 'unknown' };

/** Which families to revoke; exactly one key is set. */
export type FamilySelector =
  | { readonly familyId: string }
  | { readonly userId: string }
  | { readonly subscriptionId: string }
  | { readonly applicationId: string };

/**
 * An authorization request (RFC 6749 §4.1.1) between the authorize URL and the code: kept here,
 * not in the browser, so that what the client asked for cannot be changed on the way; found by
 * the hash of its current single-use form token.
 */
export interface AuthorizationRequest {
  readonly id: string;
  readonly subscriptionId: string;
  readonly apiId: string;
  readonly authMethod: string;
  readonly redirectUri: string;
  readonly state: string | null;
  /** RFC 7636 S256 challenge. */
  readonly codeChallenge: string;
  readonly scope: string;
  /** SHA-256 of the value of the browser's binding cookie. */
  readonly browserHash: string;
  /** Set once the user has signed in (the consent step); null before. */
  readonly userId: string | null;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export type NewAuthorizationRequest = Omit<AuthorizationRequest, 'userId'> & { readonly formTokenHash: string };

/** An authorization code (RFC 6749 §4.1.2), stored as the SHA-256 of its value. */
export interface AuthorizationCode {
  readonly hash: string;
  readonly subscriptionId: string;
  readonly apiId: string;
  readonly authMethod: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly scope: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly consumedAt: number | null;
  /** The family its redemption started; null until redeemed (or when the redemption was refused). */
  readonly familyId: string | null;
}

export type NewAuthorizationCode = Omit<AuthorizationCode, 'consumedAt' | 'familyId'>;

/** What a redemption hands out when the presented code checks out. */
export interface CodeIssue {
  readonly family: NewTokenFamily;
  readonly tokens: TokenPair;
}

/**
 * The outcome of presenting a code. Only `redeemed` issued anything; `refused` consumed the code
 * (the domain's check of redirect URI and verifier failed); `already-consumed` reports the first
 * redemption's family so that the domain can revoke it (RFC 6749 §4.1.2).
 */
export type CodeRedemption =
  | { readonly outcome: 'redeemed'; readonly family: TokenFamily }
  | { readonly outcome: 'refused'; readonly code: AuthorizationCode }
  | { readonly outcome: 'already-consumed'; readonly code: AuthorizationCode }
  | { readonly outcome: 'unknown' };

/** A user's consent that one subscription (application × API) acts for them with `scope`. */
export interface Consent {
  readonly userId: string;
  readonly subscriptionId: string;
  readonly applicationId: string;
  readonly apiId: string;
  readonly scope: string;
  readonly grantedAt: number;
}

export interface AuditEvent {
  readonly id: string;
  readonly at: number;
  readonly type: string;
  readonly actorUserId: string | null;
  readonly userId: string | null;
  readonly applicationId: string | null;
  readonly subscriptionId: string | null;
  readonly apiId: string | null;
  readonly familyId: string | null;
  readonly ip: string | null;
  /** Free-form, never a secret. */
  readonly details: Readonly<Record<string, unknown>>;
}

export type NewAuditEvent = Partial<Omit<AuditEvent, 'id' | 'type' | 'at'>> & Pick<AuditEvent, 'type' | 'at'>;

export interface AuditFilter {
  readonly type?: string;
  readonly actorUserId?: string;
  readonly userId?: string;
  readonly applicationId?: string;
  readonly subscriptionId?: string;
  readonly apiId?: string;
  readonly since?: number;
  readonly until?: number;
}

export interface PageRequest {
  /** 1–500; default 50. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Raised when a unique key (email, username, client id, application × API) is taken. */
export class StoreConflictError extends Error {
  readonly code = 'store_conflict';
  readonly entity: string;
  constructor(entity: string, cause?: unknown) {
    super(`${entity} already exists`, { cause });
    this.entity = entity;
    this.name = 'StoreConflictError';
  }
}

/** Raised when a record names another that does not exist (an owner, an application, a user). */
export class StoreReferenceError extends Error {
  readonly code = 'store_missing_reference';
  readonly entity: string;
  constructor(entity: string, cause?: unknown) {
    super(`${entity} refers to a record that does not exist`, { cause });
    this.entity = entity;
    this.name = 'StoreReferenceError';
  }
}

/**
 * Raised when the database cannot answer now: unreachable, refusing connections, no connection
 * free within the connect timeout, a statement past its timeout. Nothing was decided; the caller
 * may retry later (each surface answers 503 with Retry-After). `reason` names what happened,
 * never a URL or credential.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  readonly reason: string;
  constructor(reason: string, cause?: unknown) {
    super(`the database is unavailable: ${reason}`, { cause });
    this.reason = reason;
    this.name = 'StoreUnavailableError';
  }
}

export interface UserStore {
  /**
   * With `event`, its audit row (userId: the new user's) is written in the same transaction: both
   * or neither. A taken email or username is a StoreConflictError.
   */
  create(user: NewUser, now: number, event?: NewAuditEvent): Promise<User>;
  findById(id: string): Promise<User | null>;
  /** The users of `ids` that exist, in no particular order: one lookup for a page of names. */
  findByIds(ids: readonly string[]): Promise<readonly User[]>;
  /** A local user by email (case-insensitive) or username. */
  findLocalByLogin(login: string): Promise<User | null>;
  /**
   * Creates or refreshes the Gatehouse record of an identity an external auth method vouched for.
   * An email another user of the method has is a StoreConflictError, and nothing changes.
   */
  upsertExternal(authMethod: string, profile: ExternalProfile, now: number): Promise<User>;
  update(id: string, patch: UserPatch, now: number): Promise<User | null>;
  setPasswordHash(id: string, passwordHash: string, now: number): Promise<boolean>;
  /**
   * Replaces `expectedHash` only if it is still the stored hash, so that a rehash on login never
   * overwrites a password changed meanwhile.
   */
  upgradePasswordHash(id: string, expectedHash: string, newHash: string): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** Oldest first; `pending` selects the sign-ups awaiting a decision (true) or the others. */
  list(page?: PageRequest, filter?: { readonly pending?: boolean }): Promise<Page<User>>;
  countAdmins(): Promise<number>;
  /**
   * Decides a pending sign-up with its audit row in one transaction: approve enables the user,
   * decline deletes it (its address may sign up again). Null, and nothing written, when the user
   * is not (or no longer) pending.
   */
  decideSignUp(id: string, decision: SignUpDecision, now: number, event: NewAuditEvent): Promise<User | null>;
}

export interface ApplicationStore {
  create(application: NewApplication, now: number): Promise<Application>;
  findById(id: string): Promise<Application | null>;
  /** The applications of `ids` that exist, in no particular order: one lookup for a page of names. */
  findByIds(ids: readonly string[]): Promise<readonly Application[]>;
  list(filter: { readonly ownerId?: string }, page?: PageRequest): Promise<Page<Application>>;
  update(id: string, patch: ApplicationPatch, now: number): Promise<Application | null>;
  /**
   * Adds or removes one redirect URI and writes `audit` in the same transaction; returns the new
   * list, or null when the application is gone. Adding one already there, or removing one not
   * there, changes nothing (and writes no audit row).
   */
  changeRedirectUris(id: string, change: { readonly add: string } | { readonly remove: string }, now: number, audit: NewAuditEvent): Promise<readonly string[] | null>;
  /** Deletes the application with its subscriptions and their tokens. */
  delete(id: string): Promise<boolean>;
}

export interface SubscriptionStore {
  create(subscription: NewSubscription, now: number): Promise<Subscription>;
  findById(id: string): Promise<Subscription | null>;
  findByClientId(clientId: string): Promise<Subscription | null>;
  /** The subscription holding `clientId` with its application, in one lookup (client authentication). */
  findClient(clientId: string): Promise<SubscribedClient | null>;
  list(
    filter: { readonly applicationId?: string; readonly apiIds?: readonly string[]; readonly status?: SubscriptionStatus },
    page?: PageRequest,
  ): Promise<Page<Subscription>>;
  /**
   * Applies `patch`; with `expected`, only if the record still holds those values (a
   * compare-and-set in one statement: null when it changed or is gone).
   */
  update(id: string, patch: SubscriptionPatch, now: number, expected?: SubscriptionVersion): Promise<Subscription | null>;
  delete(id: string): Promise<boolean>;
}

export interface TokenStore {
  /**
   * Starts a login: the family and its first access (+ refresh) token, all or nothing; with
   * `audit`, the login's audit row too, in the same transaction (no login without its record).
   */
  createFamily(family: NewTokenFamily, tokens: FirstTokens, audit?: NewAuditEvent): Promise<TokenFamily>;
  findAccessToken(hash: string): Promise<AccessTokenRecord | null>;
  findRefreshToken(hash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Consumes the refresh token with hash `presented` and stores `next` in its family, atomically:
   * of any number of concurrent calls with the same token, from any number of processes, exactly
   * one returns `rotated`. A token is usable while unconsumed, unexpired, its family is neither
   * revoked nor past its absolute expiry, and its user is not disabled.
   *
   * `next`'s expiries are stored capped at the family's absolute expiry: nothing outlives its login.
   * Only the `holder`'s tokens are touched: a token of another subscription, API or auth method is
   * `unknown` (and not consumed); a token whose user is disabled is `not-usable`, consumed or not.
   */
  rotateRefreshToken(presented: string, next: TokenPair, now: number, holder: RefreshTokenHolder): Promise<RotationResult>;
  /**
   * Adds tokens to a live family (the grace-window retry); with `replacing`, only if that refresh
   * token is still unconsumed, which it then retires: false (nothing added) otherwise.
   */
  addTokens(familyId: string, tokens: TokenPair, replacing: string | null, now: number): Promise<boolean>;
  /** Revokes the selected families not revoked yet; returns the ids it revoked. */
  revokeFamilies(selector: FamilySelector, reason: string, now: number): Promise<readonly string[]>;
  findFamily(id: string): Promise<TokenFamily | null>;
  /** Families that are neither revoked nor past their absolute expiry, newest first. */
  listActiveFamilies(
    filter: { readonly userId?: string; readonly applicationId?: string; readonly subscriptionId?: string },
    now: number,
    page?: PageRequest,
  ): Promise<Page<TokenFamily>>;
  /** Housekeeping: deletes tokens and families that can no longer be used by anyone. */
  deleteExpired(now: number): Promise<number>;
}

export interface AuthorizationStore {
  createRequest(request: NewAuthorizationRequest): Promise<void>;
  /**
   * Consumes the request's form token (single use, across processes: one conditional statement)
   * and returns the live request it belonged to; null when unknown, used or expired.
   */
  takeRequest(formTokenHash: string, now: number): Promise<AuthorizationRequest | null>;
  /** Gives a taken request its next form token and, once signed in, its user; false when gone. */
  continueRequest(id: string, formTokenHash: string, userId: string | null): Promise<boolean>;
  /**
   * Ends the request with a code, and records the consent when given (with its audit row), all
   * or nothing; false (nothing written) when the request is gone.
   */
  issueCode(requestId: string, code: NewAuthorizationCode, consent: { readonly consent: Consent; readonly audit: NewAuditEvent } | null): Promise<boolean>;
  /**
   * Consumes the code with hash `presented` if `holder` may (its subscription, API and auth
   * method), it is unexpired and its user is not disabled: of concurrent calls exactly one gets
   * to call `check`; when `check` returns what to issue, the family is created in the same
   * transaction. A code of another holder is `unknown` and not consumed.
   */
  redeemCode(presented: string, holder: RefreshTokenHolder, now: number, check: (code: AuthorizationCode) => CodeIssue | null): Promise<CodeRedemption>;
  findConsent(userId: string, subscriptionId: string): Promise<Consent | null>;
  /** Newest first. */
  listConsents(userId: string, page?: PageRequest): Promise<Page<Consent>>;
  /** Deletes the consent and writes `audit` in the same transaction; false when there was none. */
  revokeConsent(userId: string, subscriptionId: string, audit: NewAuditEvent): Promise<boolean>;
  /** Housekeeping: expired requests, and codes expired for a day (kept that long to detect replays). */
  deleteExpired(now: number): Promise<number>;
}

export interface AuditStore {
  record(event: NewAuditEvent): Promise<AuditEvent>;
  /** Newest first. */
  list(filter: AuditFilter, page?: PageRequest): Promise<Page<AuditEvent>>;
  /** For each of `subscriptionIds`, its newest event of one of `types` (none if it has none). */
  latestForSubscriptions(subscriptionIds: readonly string[], types: readonly string[]): Promise<readonly AuditEvent[]>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly users: UserStore;
  readonly applications: ApplicationStore;
  readonly subscriptions: SubscriptionStore;
  readonly tokens: TokenStore;
  readonly audit: AuditStore;
  readonly authorizations: AuthorizationStore;
  /** Applies pending schema migrations; returns the names it applied (opening does this too). */
  migrate(): Promise<readonly string[]>;
  /** Names of the schema migrations the database has, oldest first. */
  appliedMigrations(): Promise<readonly string[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
