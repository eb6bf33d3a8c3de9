import { randomBytes } from 'node:crypto';
import type { ApiConfig, Config } from '../config/config.js';
import { createApplication, listApplications, updateApplication } from '../domain/management/applications.js';
import type { ManagementContext } from '../domain/management/management-context.js';
import { approveSubscription } from '../domain/management/subscription-decisions.js';
import { createSubscription, listApplicationSubscriptions, regenerateSecret, updateSubscription } from '../domain/management/subscriptions.js';
import { createUser, setPassword, updateUser } from '../domain/management/users.js';
import { createPasswordHasher, type PasswordHasher } from '../domain/passwords.js';
import { openCliStore } from './store-startup.js';
import type { Application, ClientType, Store, Subscription, User } from '../store/store.js';
import { CliError } from './cli-error.js';
import { loadCliConfig } from './load-cli-config.js';

// `gatehouse example`: makes the README's quick start work against the example config. It seeds,
// idempotently, a demo user and two applications (one confidential, one public), each with an
// approved trusted subscription to an API, and prints the credentials once as shell assignments.
// Every run sets a new password and a new client secret: they are never stored in clear, so the
// only way to show them again is to make new ones. The client ids stay. They go to stdout only,
// never to a log.
//
// It goes through the management API's own use cases (src/domain/management), not the store, so a
// re-run does what an admin's password reset does: the demo user's logins end (and the audit log
// says so); a new secret is what "regenerate secret" makes; a subscription is approved, not
// written as approved. The demo user acts as the owner of their applications, as a developer in
// the portal would; the rest is done by the operator at the console, who holds the store and so
// acts as an admin that is no stored user.

export const DEMO_EMAIL = 'demo@example.com';
const DEMO_USERNAME = 'demo';
const APPLICATIONS: readonly { readonly clientType: ClientType; readonly name: string }[] = [
  { clientType: 'confidential', name: 'Example confidential app' },
  { clientType: 'public', name: 'Example public app' },
];

/** The audit log names the console operator by this id (no user has it: user ids are UUIDs). */
export const CONSOLE_OPERATOR_ID = 'console';

function consoleOperator(now: number): User {
  return {
    id: CONSOLE_OPERATOR_ID,
    authMethod: 'local',
    externalSub: null,
    email: null,
    username: null,
    name: 'gatehouse example (console)',
    passwordHash: null,
    groups: [],
    admin: true,
    approverOf: [],
    disabled: false,
    pending: false,
    createdAt: now,
    updatedAt: now,
    passwordChangedAt: null,
  };
}

export interface ExampleCredentials {
  readonly api: ApiConfig;
  readonly authMethodId: string;
  readonly username: string;
  readonly password: string;
  readonly confidentialClientId: string;
  readonly confidentialClientSecret: string;
  readonly publicClientId: string;
}

function pickApi(config: Config, apiId: string | undefined): { api: ApiConfig; authMethodId: string } {
  const localIds = new Set(config.authMethods.filter((m) => m.kind === 'local').map((m) => m.id));
  const candidates = config.apis.filter((api) => (apiId === undefined || api.id === apiId) && api.authMethods.some((m) => localIds.has(m)));
  const api = candidates[0];
  if (!api) {
    throw new CliError(
      apiId === undefined ? 'the configuration has no API that accepts a local auth method' : `no API "${apiId}" that accepts a local auth method`,
    );
  }
  return { api, authMethodId: api.authMethods.find((m) => localIds.has(m)) as string };
}

/** The demo user with a new password: created, or reset as an admin would (its logins end). */
async function demoUser(operator: ManagementContext, password: string): Promise<User> {
  const existing = await operator.store.users.findLocalByLogin(DEMO_EMAIL);
  if (!existing) return createUser(operator, { email: DEMO_EMAIL, username: DEMO_USERNAME, name: 'Demo User', password });
  await setPassword(operator, existing.id, { password });
  return existing.disabled ? updateUser(operator, existing.id, { disabled: false }) : existing;
}

async function exampleApplication(owner: ManagementContext, clientType: ClientType, name: string): Promise<Application> {
  const owned = await listApplications(owner, { ownerId: owner.actor.id }, { limit: 500 });
  const existing = owned.items.find((application) => application.name === name);
  if (!existing) return createApplication(owner, { name, clientType });
  if (existing.clientType === clientType) return existing;
  return updateApplication(owner, existing.id, { clientType });
}

/** An approved trusted subscription of `application` to `api`, with a new secret if it is confidential. */
async function trustedSubscription(owner: ManagementContext, operator: ManagementContext, application: Application, api: ApiConfig) {
  const found = await listApplicationSubscriptions(owner, application.id, { limit: 500 });
  let subscription: Subscription | undefined = found.items.find((candidate) => candidate.apiId === api.id);
  let credentials: { clientId: string; clientSecret: string | null };
  if (!subscription) {
    ({ subscription, credentials } = await createSubscription(owner, { applicationId: application.id, apiId: api.id, trusted: true }));
  } else if (application.clientType === 'confidential') {
    ({ subscription, credentials } = await regenerateSecret(owner, subscription.id));
  } else {
    credentials = { clientId: subscription.clientId as string, clientSecret: null };
  }
  if (!subscription.trusted) subscription = await updateSubscription(owner, subscription.id, { trusted: true });
  if (subscription.status !== 'approved') {
    await approveSubscription(operator, subscription.id, { trusted: subscription.trusted, plan: subscription.plan, clientType: application.clientType });
  }
  return credentials;
}

export async function seedExample(store: Store, config: Config, hasher: PasswordHasher, options: { apiId?: string; now?: number } = {}): Promise<ExampleCredentials> {
  const { api, authMethodId } = pickApi(config, options.apiId);
  const now = options.now ?? Date.now();
  const operator: ManagementContext = { store, config, passwords: hasher, now, actor: consoleOperator(now), ip: null };
  const password = randomBytes(15).toString('base64url'); // 120 bits, 20 characters
  const user = await demoUser(operator, password);
  const owner: ManagementContext = { ...operator, actor: user };
  const clients: Partial<Record<ClientType, { clientId: string; clientSecret: string | null }>> = {};
  for (const { clientType, name } of APPLICATIONS) {
    clients[clientType] = await trustedSubscription(owner, operator, await exampleApplication(owner, clientType, name), api);
  }
  await store.audit.record({ type: 'example.seeded', at: now, actorUserId: CONSOLE_OPERATOR_ID, userId: user.id, apiId: api.id, details: { via: 'cli' } });
  return {
    api,
    authMethodId,
    username: DEMO_EMAIL,
    password,
    confidentialClientId: clients.confidential?.clientId as string,
    confidentialClientSecret: clients.confidential?.clientSecret as string,
    publicClientId: clients.public?.clientId as string,
  };
}

export function tokenUrl(config: Config, credentials: Pick<ExampleCredentials, 'api' | 'authMethodId'>): string {
  const { host, port } = config.listeners.public;
  const base = config.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return `${base}/auth/${credentials.authMethodId}/api/${credentials.api.id}/token`;
}

export async function example(options: { config?: string; api?: string }): Promise<void> {
  const config = loadCliConfig(options.config);
  const store = await openCliStore(config);
  let credentials: ExampleCredentials;
  try {
    credentials = await seedExample(store, config, createPasswordHasher(), options.api === undefined ? {} : { apiId: options.api });
  } finally {
    await store.close();
  }
  process.stdout.write(
    [
      `# Gatehouse example: API "${credentials.api.id}", auth method "${credentials.authMethodId}".`,
      '# The password and the client secret are shown only now. Running `gatehouse example` again (npm start does at',
      '# every start; on the embedded store, with the server stopped) keeps the user and the client ids, sets a new',
      "# password and a new client secret, and ends the demo user's logins.",
      '# Load into a shell with: eval "$(gatehouse example --config FILE)"',
      `TOKEN_URL=${tokenUrl(config, credentials)}`,
      `DEMO_USERNAME=${credentials.username}`,
      `DEMO_PASSWORD=${credentials.password}`,
      `CLIENT_ID=${credentials.confidentialClientId}`,
      `CLIENT_SECRET=${credentials.confidentialClientSecret}`,
      `PUBLIC_CLIENT_ID=${credentials.publicClientId}`,
      '',
    ].join('\n'),
  );
}
