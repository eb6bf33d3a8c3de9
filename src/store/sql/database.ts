// Table shapes shared by both dialects. Booleans are 0/1 integers and lists are JSON text so that
// one set of queries serves SQLite and PostgreSQL alike; times are epoch milliseconds (bigint).

export interface UsersTable {
  id: string;
  auth_method: string;
  external_sub: string | null;
  email: string | null;
  username: string | null;
  name: string | null;
  password_hash: string | null;
  groups: string;
  is_admin: number;
  approver_of: string;
  disabled: number;
  /** 1: a self sign-up awaiting approval (always disabled too). */
  pending: number;
  created_at: number;
  updated_at: number;
  password_changed_at: number | null;
}

export interface ApplicationsTable {
  id: string;
  name: string;
  client_type: string;
  redirect_uris: string;
  created_at: number;
  updated_at: number;
}

export interface ApplicationOwnersTable {
  application_id: string;
  user_id: string;
}

export interface SubscriptionsTable {
  id: string;
  application_id: string;
  api_id: string;
  plan: string;
  trusted: number;
  status: string;
  client_id: string | null;
  client_secret_hash: string | null;
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TokenFamiliesTable {
  id: string;
  subscription_id: string;
  application_id: string;
  api_id: string;
  auth_method: string;
  user_id: string | null;
  scope: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  grant_type: string;
}

export interface AccessTokensTable {
  token_hash: string;
  family_id: string;
  created_at: number;
  expires_at: number;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  replaced_by: string | null;
}

export interface AuditEventsTable {
  id: string;
  at: number;
  type: string;
  actor_user_id: string | null;
  user_id: string | null;
  application_id: string | null;
  subscription_id: string | null;
  api_id: string | null;
  family_id: string | null;
  ip: string | null;
  details: string;
}

export interface AuthorizationRequestsTable {
  id: string;
  form_token_hash: string | null;
  subscription_id: string;
  api_id: string;
  auth_method: string;
  redirect_uri: string;
  state: string | null;
  code_challenge: string;
  scope: string;
  browser_hash: string;
  user_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface AuthorizationCodesTable {
  code_hash: string;
  subscription_id: string;
  api_id: string;
  auth_method: string;
  user_id: string;
  redirect_uri: string;
  code_challenge: string;
  scope: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  family_id: string | null;
}

export interface ConsentsTable {
  user_id: string;
  subscription_id: string;
  application_id: string;
  api_id: string;
  scope: string;
  granted_at: number;
}

export interface Database {
  users: UsersTable;
  applications: ApplicationsTable;
  application_owners: ApplicationOwnersTable;
  subscriptions: SubscriptionsTable;
  token_families: TokenFamiliesTable;
  access_tokens: AccessTokensTable;
  refresh_tokens: RefreshTokensTable;
  audit_events: AuditEventsTable;
  authorization_requests: AuthorizationRequestsTable;
  authorization_codes: AuthorizationCodesTable;
  consents: ConsentsTable;
}
