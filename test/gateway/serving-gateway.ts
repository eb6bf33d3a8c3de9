import { after } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { openStore } from '../../src/store/open-store.js';
import { startServe, type ServingGatehouse } from '../support/cli-process.js';
import { writeConfig } from '../support/config-files.js';
import { createClient, createUser, fastHasher, type TestClient, type TokenBody } from '../support/oauth-fixtures.js';
import { DATABASE_URL, freshSchema } from '../support/postgres.js';

// A real `gatehouse serve` process in front of an upstream of the test process, on the store of
// the environment (its SQLite file, or a fresh PostgreSQL schema), with users and clients seeded
// straight into that store before it starts.

export interface ServedGateway {
  readonly serving: ServingGatehouse;
  readonly clients: readonly TestClient[];
  /** A password-grant login of the seeded user through `client`, over HTTP. */
  login(client: TestClient): Promise<TokenBody>;
}

export async function startServedGateway(raw: Record<string, unknown>, clientCount: number): Promise<ServedGateway> {
  const env: NodeJS.ProcessEnv = { DATABASE_URL: '', DATABASE_SCHEMA: '', REDIS_URL: '' };
  if (DATABASE_URL) {
    const schema = freshSchema(DATABASE_URL);
    after(schema.drop);
    Object.assign(env, { DATABASE_URL, DATABASE_SCHEMA: schema.name });
  }
  const configPath = writeConfig(raw);
  const store = await openStore(loadConfig({ path: configPath, env }));
  const seed = { store, passwords: fastHasher(), now: Date.now };
  const { login: name, password } = await createUser(seed);
  const clients: TestClient[] = [];
  for (let i = 0; i < clientCount; i += 1) clients.push(await createClient(seed, { apiId: 'orders' }));
  await store.close();

  const serving = await startServe(configPath, env);
  let stopped = false;
  after(async () => {
    if (!stopped) await serving.stop('SIGKILL');
  });
  return {
    serving: {
      ...serving,
      stop: (signal) => ((stopped = true), serving.stop(signal)),
    },
    clients,
    async login(client) {
      const response = await fetch(`${serving.publicUrl}/auth/local/api/orders/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'password',
          username: name,
          password,
          client_id: client.clientId,
          client_secret: client.clientSecret ?? '',
        }),
      });
      if (response.status !== 200) throw new Error(`password grant failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as TokenBody;
    },
  };
}
