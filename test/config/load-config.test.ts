import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { minimalConfig, writeConfig } from '../support/config-files.js';

const NO_ENV = {};

function configError(content: Record<string, unknown> | string, env: NodeJS.ProcessEnv = NO_ENV): string {
  const file = writeConfig(content);
  try {
    loadConfig({ path: file, env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/, 'the message is one line');
    return error.message;
  }
  assert.fail('the configuration was accepted');
}

function withApi(patch: Record<string, unknown>, extraApis: Record<string, unknown>[] = []): Record<string, unknown> {
  const config = minimalConfig();
  const [api] = config.apis as Record<string, unknown>[];
  config.apis = [{ ...api, ...patch }, ...extraApis];
  return config;
}

describe('loadConfig', () => {
  it('loads the shipped example with its defaults resolved', () => {
    const config = loadConfig({ path: path.resolve('gatehouse.example.yaml'), env: NO_ENV });
    assert.equal(config.database.url, null);
    assert.equal(config.redis.url, null);
    assert.equal(config.dataDir, path.resolve('data'));
    assert.deepEqual(config.listeners.public, {
      host: '127.0.0.1',
      port: 8080,
      idleTimeoutMs: 30_000,
      requestTimeoutMs: 300_000,
      tokenBodyTimeoutMs: 10_000,
    });
    const [api] = config.apis;
    assert.ok(api);
    assert.equal(api.id, 'echo');
    assert.deepEqual(api.authMethods, ['local']);
    assert.equal(api.accessTokenLifetime, 3600);
    assert.deepEqual(
      api.scopes.map((s) => s.id),
      ['echo:read', 'echo:write'],
    );
    assert.deepEqual(api.openapi, { kind: 'file', path: path.resolve('echo.openapi.yaml') });
    assert.deepEqual(config.portal, { signUp: 'closed' });
  });

  it('reads portal.signUp (closed by default, GATEHOUSE_SIGN_UP overrides) and apis[].openapi', () => {
    assert.deepEqual(loadConfig({ path: writeConfig(minimalConfig()), env: NO_ENV }).portal, { signUp: 'closed' });
    const raw = { ...withApi({ openapi: 'https://orders.internal/openapi.json' }), portal: { signUp: 'open' } };
    const config = loadConfig({ path: writeConfig(raw), env: NO_ENV });
    assert.deepEqual(config.portal, { signUp: 'open' });
    assert.deepEqual(config.apis[0]?.openapi, { kind: 'url', url: 'https://orders.internal/openapi.json' });
    assert.equal(loadConfig({ path: writeConfig(minimalConfig()), env: { GATEHOUSE_SIGN_UP: 'approval' } }).portal?.signUp, 'approval');
    assert.match(configError({ ...minimalConfig(), portal: { signUp: 'maybe' } }), /portal\.signUp/);
    assert.match(configError(minimalConfig(), { GATEHOUSE_SIGN_UP: 'sometimes' }), /portal\.signUp/);
    assert.equal(loadConfig({ path: writeConfig(minimalConfig()), env: NO_ENV }).apis[0]?.openapi, null);
  });

  it('applies defaults: token lifetimes, a default plan, the log level', () => {
    const config = loadConfig({ path: writeConfig(minimalConfig()), env: NO_ENV });
    const [api] = config.apis;
    assert.ok(api);
    assert.equal(api.accessTokenLifetime, 3600);
    assert.equal(api.refreshTokenIdleLifetime, 14 * 24 * 3600);
    assert.equal(api.sessionLifetime, 30 * 24 * 3600);
    assert.equal(api.refreshGraceSeconds, 0);
    assert.deepEqual(
      api.plans.map((p) => p.id),
      ['default'],
    );
    assert.equal(api.stripPrefix, true);
    assert.equal(config.database.poolSize, 10);
    // The gateway's bounds: a pool of 128 per API, 5 s to wait for it, a quarter of it per app.
    assert.equal(api.upstreamConnections, 128);
    assert.equal(config.gateway.poolWaitTimeoutMs, 5_000);
    assert.equal(api.plans[0]?.maxConcurrent, 32);
    assert.deepEqual(api.grants, ['password', 'refresh_token', 'authorization_code', 'client_credentials'], 'every grant by default');
  });

  it('keeps an API to the grants it lists', () => {
    const config = loadConfig({ path: writeConfig(withApi({ grants: ['client_credentials'] })), env: NO_ENV });
    assert.deepEqual(config.apis[0]?.grants, ['client_credentials']);
  });

  it('resolves dataDir against the config file directory', () => {
    const file = writeConfig(minimalConfig());
    assert.equal(loadConfig({ path: file, env: NO_ENV }).dataDir, path.join(path.dirname(file), 'data'));
  });

  it('lets the environment override database, redis, ports and data directory', () => {
    const config = loadConfig({
      path: writeConfig(minimalConfig()),
      env: {
        DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
        DATABASE_SCHEMA: 'tenant_a',
        REDIS_URL: 'redis://127.0.0.1:6379',
        GATEHOUSE_PUBLIC_PORT: '18080',
        GATEHOUSE_PORTAL_HOST: '0.0.0.0',
        GATEHOUSE_DATA_DIR: '/var/lib/gatehouse',
        GATEHOUSE_LOG_LEVEL: 'debug',
      },
    });
    assert.equal(config.database.url, 'postgres://u@127.0.0.1:5432/db');
    assert.equal(config.database.schema, 'tenant_a');
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.listeners.public.port, 18080);
    assert.equal(config.listeners.portal.host, '0.0.0.0');
    assert.equal(config.dataDir, '/var/lib/gatehouse');
    assert.equal(config.log.level, 'debug');
  });

  it('treats an empty environment variable as unset', () => {
    const config = loadConfig({ path: writeConfig(minimalConfig()), env: { DATABASE_URL: '' } });
    assert.equal(config.database.url, null);
  });

  it('resolves an external auth method secret from the environment', () => {
    const config = minimalConfig();
    config.authMethods = [
      { id: 'local', type: 'local' },
      { id: 'corp', type: 'external', url: 'http://127.0.0.1:9000/verify', secretHeader: { name: 'X-Secret', valueFromEnv: 'CORP_SECRET' } },
    ];
    const loaded = loadConfig({ path: writeConfig(config), env: { CORP_SECRET: 's3cret' } });
    const corp = loaded.authMethods[1];
    assert.ok(corp && corp.kind === 'external');
    assert.deepEqual(corp.secretHeader, { name: 'X-Secret', value: 's3cret' });
    assert.equal(corp.timeoutMs, 5000);
  });

  describe('refuses a broken file with one line naming the key', () => {
    const external = { id: 'corp', type: 'external', url: 'http://127.0.0.1:9000/verify' };
    const cases: { name: string; content: () => Record<string, unknown> | string; env?: NodeJS.ProcessEnv; expected: RegExp }[] = [
      {
        name: 'a wrong type',
        content: () => ({ ...minimalConfig(), listeners: { public: { port: 'eighty' }, portal: { port: 1 } } }),
        expected: /listeners\.public\.port: must be integer/,
      },
      {
        name: 'an API naming an undeclared auth method',
        content: () => withApi({ authMethods: ['local', 'ldap'] }),
        expected: /apis\[0\]\.authMethods\[1\]: unknown auth method "ldap" \(declared: local\)/,
      },
      {
        name: 'two APIs on one path prefix',
        content: () => withApi({}, [{ id: 'billing', name: 'B', pathPrefix: '/orders/', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'] }]),
        expected: /apis\[1\]\.pathPrefix: "\/orders" overlaps apis\[0\]\.pathPrefix "\/orders"/,
      },
      {
        name: 'a nested path prefix',
        content: () => withApi({}, [{ id: 'billing', name: 'B', pathPrefix: '/orders/v2', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'] }]),
        expected: /apis\[1\]\.pathPrefix: .*overlaps/,
      },
      {
        name: 'a prefix shadowing the token endpoints',
        content: () => withApi({ pathPrefix: '/auth/x' }),
        expected: /apis\[0\]\.pathPrefix: "\/auth\/x" collides with Gatehouse's own \/auth/,
      },
      {
        name: 'a duplicate API id',
        content: () => withApi({}, [{ id: 'orders', name: 'B', pathPrefix: '/b', upstreamUrl: 'http://127.0.0.1:9', authMethods: ['local'] }]),
        expected: /apis\[1\]\.id: duplicate id "orders"/,
      },
      {
        name: 'an unknown group',
        content: () => withApi({ group: 'nobody' }),
        expected: /apis\[0\]\.group: unknown group "nobody"/,
      },
      {
        name: 'an unknown grant type',
        content: () => withApi({ grants: ['password', 'implicit'] }),
        expected: /apis\[0\]\.grants\[1\]: must be one of "password", "refresh_token", "authorization_code", "client_credentials"/,
      },
      {
        name: 'no grant at all',
        content: () => withApi({ grants: [] }),
        expected: /apis\[0\]\.grants: /,
      },
      {
        name: 'a grant listed twice',
        content: () => withApi({ grants: ['client_credentials', 'client_credentials'] }),
        expected: /apis\[0\]\.grants: lists a grant twice/,
      },
      {
        name: 'refresh_token without a grant that issues refresh tokens',
        content: () => withApi({ grants: ['client_credentials', 'refresh_token'] }),
        expected: /apis\[0\]\.grants: refresh_token needs password or authorization_code/,
      },
      {
        name: 'an unknown key',
        content: () => withApi({ upstream: 'http://x' }),
        expected: /apis\[0\]\.upstream: is not a known key/,
      },
      {
        name: 'a missing required key',
        content: () => withApi({ upstreamUrl: undefined }),
        expected: /apis\[0\]\.upstreamUrl: is required/,
      },
      {
        name: 'a path prefix that is not a path',
        content: () => withApi({ pathPrefix: 'orders' }),
        expected: /apis\[0\]\.pathPrefix: must be a URL path starting with \//,
      },
      {
        name: 'an external auth method without its URL',
        content: () => ({ ...minimalConfig(), authMethods: [{ id: 'local', type: 'local' }, { id: 'corp', type: 'external' }] }),
        expected: /authMethods\[1\]\.url: is required/,
      },
      {
        name: 'an auth method of an unknown kind',
        content: () => ({ ...minimalConfig(), authMethods: [{ id: 'local', type: 'saml' }] }),
        expected: /authMethods\[0\]\.type: must be one of "local", "external"/,
      },
      {
        name: 'a secret header whose variable is not set',
        content: () => ({
          ...minimalConfig(),
          authMethods: [{ id: 'local', type: 'local' }, { ...external, secretHeader: { name: 'X-S', valueFromEnv: 'MISSING_SECRET' } }],
        }),
        expected: /authMethods\[1\]\.secretHeader\.valueFromEnv: environment variable MISSING_SECRET is not set/,
      },
      {
        name: 'a bad log level',
        content: () => ({ ...minimalConfig(), log: { level: 'loud' } }),
        expected: /log\.level: must be one of "fatal", "error"/,
      },
      {
        name: 'a non-integer port in the environment',
        content: () => minimalConfig(),
        env: { GATEHOUSE_PORTAL_PORT: 'http' },
        expected: /GATEHOUSE_PORTAL_PORT: must be a port number/,
      },
      {
        name: 'YAML that does not parse',
        content: () => 'apis: [\n  - id: x\n',
        expected: /not valid YAML at line \d+/,
      },
      {
        name: 'a duplicate YAML key',
        content: () => 'dataDir: a\ndataDir: b\n',
        expected: /not valid YAML/,
      },
      {
        name: 'a file that is not a mapping',
        content: () => '- just\n- a list\n',
        expected: /\(top level\): must be a mapping/,
      },
    ];
    for (const { name, content, env, expected } of cases) {
      it(name, () => {
        const message = configError(content(), env);
        assert.match(message, /^invalid config .*gatehouse\.yaml: /);
        assert.match(message, expected);
      });
    }
  });

  it('names a file it cannot read', () => {
    assert.throws(() => loadConfig({ path: '/nonexistent/gatehouse.yaml', env: NO_ENV }), /cannot read \/nonexistent\/gatehouse\.yaml \(ENOENT\)/);
  });
});
