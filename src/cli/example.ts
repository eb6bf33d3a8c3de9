import { randomBytes } from 'node:crypto';
import type { ApiConfig, Config } from '../config/config.js';
import { createPasswordHasher, type PasswordHasher } from '../domain/passwords.js';
import { hashTokenValue, newTokenValue } from '../domain/token-values.js';
import { openCliStore } from './store-startup.js';
import type { Application, ClientType, Store, User } from '../store/store.js';
import { CliError } from './cli-error.js';
import { loadCliConfig } from './load-cli-config.js';

// `gatehouse example`: makes the README's quick start work against the example config. It seeds,
// idempotently, a demo user and two applications (one confidential, one public), each with an
// approved trusted subscription to an API, and prints the credentials once as shell assignments.
// Every run sets a new password and a new client secret: they are never stored in clear, so the
// only way to show them again is to make new ones. They go to stdout only, never to a log.

export const DEMO_EMAIL = 'demo@example.com';
const DEMO_USERNAME = 'demo';
const APPLICATIONS: readonly { readonly clientType: ClientType; readonly name: string }[] = [
  { clientType: 'confidential', name: 'Example confidential app' },
  { clientType: 'public', name: 'Example public app' },
];

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

async function demoUser(store: Store, passwordHash: string, now: number): Promise<User> {
  const existing = await store.users.findLocalByLogin(DEMO_EMAIL);
  if (!existing) {
    return store.users.create({ authMethod: 'local', email: DEMO_EMAIL, username: DEMO_USERNAME, name: 'Demo User', passwordHash }, now);
  }
  await store.users.setPasswordHash(existing.id, passwordHash, now);
  return (await store.users.update(existing.id, { disabled: false }, now)) ?? existing;
}

async function exampleApplication(store: Store, owner: User, clientType: ClientType, name: string, now: number): Promise<Application> {
  const owned = await store.applications.list({ ownerId: owner.id }, { limit: 500 });
  const existing = owned.items.find((application) => application.name === name);
  if (!existing) return store.applications.create({ name, clientType, ownerIds: [owner.id] }, now);
  if (existing.clientType === clientType) return existing;
  return (await store.applications.update(existing.id, { clientType }, now)) ?? existing;
}

/** An approved trusted subscription of `application` to `api`; returns its client id. */
async function trustedSubscription(store: Store, application: Application, api: ApiConfig, clientSecretHash: string | null, now: number) {
  const found = await store.subscriptions.list({ applicationId: application.id, apiIds: [api.id] });
  const existing = found.items[0];
  const decision = { trusted: true, status: 'approved', clientSecretHash, decidedBy: null, decidedAt: now } as const;
  if (existing) {
    const clientId = existing.clientId ?? randomBytes(12).toString('hex');
    await store.subscriptions.update(existing.id, { ...decision, clientId }, now);
    return clientId;
  }
  const clientId = randomBytes(12).toString('hex');
  const plan = api.plans[0]?.id ?? 'default';
  await store.subscriptions.create({ applicationId: application.id, apiId: api.id, plan, clientId, ...decision }, now);
  return clientId;
}

export async function seedExample(store: Store, config: Config, hasher: PasswordHasher, options: { apiId?: string; now?: number } = {}): Promise<ExampleCredentials> {
  const { api, authMethodId } = pickApi(config, options.apiId);
  const now = options.now ?? Date.now();
  const password = randomBytes(15).toString('base64url'); // 120 bits, 20 characters
  const user = await demoUser(store, await hasher.hash(password), now);
  const clientIds: Partial<Record<ClientType, string>> = {};
  const clientSecret = newTokenValue();
  for (const { clientType, name } of APPLICATIONS) {
    const application = await exampleApplication(store, user, clientType, name, now);
    const secretHash = clientType === 'confidential' ? hashTokenValue(clientSecret) : null;
    clientIds[clientType] = await trustedSubscription(store, application, api, secretHash, now);
  }
  await store.audit.record({ type: 'example.seeded', at: now, userId: user.id, apiId: api.id, details: { via: 'cli' } });
  return {
    api,
    authMethodId,
    username: DEMO_EMAIL,
    password,
    confidentialClientId: clientIds.confidential as string,
    confidentialClientSecret: clientSecret,
    publicClientId: clientIds.public as string,
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
      '# The password and the client secret are shown only now; run this again to reset them.',
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
