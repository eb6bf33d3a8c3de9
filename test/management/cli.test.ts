import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { registerRemoteCommands } from '../../src/cli/remote/remote-commands.js';
import { runCli } from '../support/cli-process.js';
import { scratchDir } from '../support/config-files.js';
import { startTestGatehouse, testConfig } from '../support/gatehouse-instance.js';
import { fastHasher } from '../support/oauth-fixtures.js';
import { managementRawConfig } from './management-fixtures.js';

// The management commands of the real CLI, spawned against a Gatehouse listening on port 0, each
// person with their own config directory (XDG_CONFIG_HOME), as on separate machines.

const passwords = fastHasher();
const gatehouse = await startTestGatehouse(testConfig(managementRawConfig()), { passwords });
const { portal } = await gatehouse.listen();
const { store } = gatehouse.services;

async function localUser(email: string, password: string, roles: { admin?: boolean; approverOf?: string[] } = {}) {
  return store.users.create({ authMethod: 'local', email, passwordHash: await passwords.hash(password), ...roles }, Date.now());
}

/** A person at their own terminal: `gatehouse ...` with their own config directory. */
function terminal() {
  const home = scratchDir('gatehouse-xdg-');
  const env = { XDG_CONFIG_HOME: home, GATEHOUSE_URL: '', GATEHOUSE_TOKEN: '' };
  return {
    credentials: path.join(home, 'gatehouse', 'credentials.json'),
    run: (args: readonly string[], input?: string) => runCli(args, { env, ...(input === undefined ? {} : { input }) }),
    async json<T>(args: readonly string[], input?: string): Promise<T> {
      const result = await runCli([...args, '--json'], { env, ...(input === undefined ? {} : { input }) });
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
  };
}

// Each case signs in people of its own, so the cases run at once: the file's time is mostly
// waiting for the CLI processes it spawns one after another (issue 15).
describe('gatehouse management commands', { concurrency: true }, () => {
  it('every remote command explains itself with --help', () => {
    const program = new Command('gatehouse');
    registerRemoteCommands(program);
    const leaves: (readonly [Command | null, Command])[] = program.commands.flatMap((group) =>
      group.commands.length > 0 ? group.commands.map((c): readonly [Command | null, Command] => [group, c]) : [[null, group] as const],
    );
    assert.ok(leaves.length >= 30, `${leaves.length} commands`);
    for (const [group, command] of leaves) {
      const name = [group?.name(), command.name()].filter(Boolean).join(' ');
      assert.ok(command.description().length >= 8, `${name} has a description`);
      assert.match(command.helpInformation(), /^Usage: /, name);
    }
  });

  it('--help works in the real process for a group and a leaf', async () => {
    for (const args of [['subscriptions', '--help'], ['subscriptions', 'approve', '--help'], ['login', '--help']]) {
      const result = await runCli(args);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: gatehouse ${args.slice(0, -1).join(' ')}`));
    }
  });

  it('login stores a refresh token with 0600 permissions; logout ends it on the server and deletes it', async () => {
    await localUser('ada@example.com', 'correct horse battery');
    const ada = terminal();
    const refused = await ada.run(['login', '--url', portal, '--username', 'ada@example.com'], 'wrong password\n');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /wrong username or password/);
    assert.equal(existsSync(ada.credentials), false);

    const login = await ada.run(['login', '--url', portal, '--username', 'ada@example.com'], 'correct horse battery\n');
    assert.equal(login.code, 0, login.stderr);
    assert.equal(statSync(ada.credentials).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(ada.credentials)).mode & 0o777, 0o700);
    const stored = JSON.parse(readFileSync(ada.credentials, 'utf8')) as { refreshToken: string; url: string };
    assert.equal(stored.url, portal);
    assert.ok(!readFileSync(ada.credentials, 'utf8').includes('correct horse battery'));

    const me = await ada.json<{ email: string }>(['users', 'me']);
    assert.equal(me.email, 'ada@example.com');

    const logout = await ada.run(['logout']);
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stdout, /signed out/);
    assert.equal(existsSync(ada.credentials), false);
    const refreshed = await gatehouse.portalServer.inject({
      method: 'POST',
      url: '/auth/local/api/gatehouse-portal/token',
      payload: { grant_type: 'refresh_token', client_id: 'gatehouse-portal', refresh_token: stored.refreshToken },
    });
    assert.equal(refreshed.statusCode, 400);
    const after = await ada.run(['users', 'me', '--url', portal]);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /not signed in/);
  });

  it('an access token about to lapse is renewed with the refresh token, which rotates in the file', async () => {
    await localUser('grace@example.com', 'grace password 1');
    const grace = terminal();
    assert.equal((await grace.run(['login', '--url', portal, '--username', 'grace@example.com'], 'grace password 1\n')).code, 0);
    const before = JSON.parse(readFileSync(grace.credentials, 'utf8')) as { refreshToken: string; accessToken: string; accessTokenExpiresAt: number };
    writeFileSync(grace.credentials, JSON.stringify({ ...before, accessTokenExpiresAt: Date.now() - 1000 }));
    const me = await grace.json<{ email: string }>(['users', 'me']);
    assert.equal(me.email, 'grace@example.com');
    const after = JSON.parse(readFileSync(grace.credentials, 'utf8')) as typeof before;
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.notEqual(after.accessToken, before.accessToken);
    assert.ok(after.accessTokenExpiresAt > Date.now());
    assert.equal(statSync(grace.credentials).mode & 0o777, 0o600);

    // A script may bring its own access token instead of a login.
    const scripted = await runCli(['users', 'me', '--json', '--url', portal], { env: { XDG_CONFIG_HOME: scratchDir(), GATEHOUSE_TOKEN: after.accessToken } });
    assert.equal(scripted.code, 0, scripted.stderr);
    assert.equal((JSON.parse(scripted.stdout) as { email: string }).email, 'grace@example.com');
  });

  it('a developer subscribes trusted, an approver approves from the queue, the admin ends the logins', async () => {
    await localUser('root@example.com', 'admin password 1', { admin: true });
    await localUser('approver@example.com', 'approver password', { approverOf: ['partners'] });
    const admin = terminal();
    const approver = terminal();
    const developer = terminal();
    assert.equal((await admin.run(['login', '--url', portal, '--username', 'root@example.com'], 'admin password 1\n')).code, 0);
    assert.equal((await approver.run(['login', '--url', portal, '--username', 'approver@example.com'], 'approver password\n')).code, 0);

    const dev = await admin.json<{ id: string }>(['users', 'create', '--email', 'dev@example.com', '--password-stdin'], 'developer password\n');
    assert.equal((await developer.run(['login', '--url', portal, '--username', 'dev@example.com'], 'developer password\n')).code, 0);

    const application = await developer.json<{ id: string }>(['applications', 'create', '--name', 'Mobile', '--type', 'confidential']);
    const created = await developer.run(['subscriptions', 'create', '--application', application.id, '--api', 'orders', '--trusted']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /client_secret {2}\S{43}/);
    assert.match(created.stdout, /waits for approval/);
    const [subscription] = (await developer.json<{ items: { id: string; status: string }[] }>(['subscriptions', 'list', '--application', application.id])).items;
    assert.equal(subscription?.status, 'pending');

    const denied = await developer.run(['subscriptions', 'approve', subscription.id, '--plan', 'basic', '--trusted']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /403 forbidden/);
    const queue = await approver.run(['approvals', 'list']);
    assert.match(queue.stdout, new RegExp(subscription.id));
    // A decision names what it decides on: a mismatch is refused and nothing changes.
    const mismatch = await approver.run(['subscriptions', 'approve', subscription.id, '--plan', 'basic', '--no-trusted']);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /409 conflict: the subscription changed since you read it/);
    const approved = await approver.json<{ status: string }>(['subscriptions', 'approve', subscription.id, '--plan', 'basic', '--trusted', '--client-type', 'confidential']);
    assert.equal(approved.status, 'approved');

    const logins = await admin.json<{ items: { userId: string }[] }>(['tokens', 'list', '--user', dev.id]);
    assert.equal(logins.items.length, 1);
    const ended = await admin.json<{ revoked: number }>(['tokens', 'revoke-all', '--user', dev.id]);
    assert.equal(ended.revoked, 1);
    const signedOut = await developer.run(['applications', 'list']);
    assert.equal(signedOut.code, 1);
    assert.match(signedOut.stderr, /401/);

    const audit = await admin.json<{ items: { type: string }[] }>(['audit', 'list', '--type', 'subscription.approved']);
    assert.equal(audit.items.length, 1);
    const table = await admin.run(['users', 'list']);
    assert.match(table.stdout, /^ID\s+EMAIL/);
    assert.match(table.stdout, /dev@example\.com/);
  });
  it('an admin lists locked accounts and releases one', async () => {
    await localUser('root2@example.com', 'root password 2', { admin: true });
    const admin = terminal();
    assert.equal((await admin.run(['login', '--url', portal, '--username', 'root2@example.com'], 'root password 2\n')).code, 0);
    for (let i = 0; i < 5; i++) {
      await fetch(`${portal}/auth/local/api/gatehouse-portal/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', client_id: 'gatehouse-portal', username: 'Mallory@example.com', password: `guess ${i}` }),
      });
    }
    const listed = await admin.run(['lockouts', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^AUTH METHOD\s+ACCOUNT\s+USER ID\s+FAILURES\s+LOCKED UNTIL\nlocal\s+mallory@example\.com\s+\(no such account\)\s+5\s/m);
    const released = await admin.run(['lockouts', 'release-account', 'mallory@example.com']);
    assert.equal(released.code, 0, released.stderr);
    assert.equal(released.stdout, 'released mallory@example.com (local)\n');
    const after = await admin.json<{ accounts: unknown[] }>(['lockouts', 'list']);
    assert.deepEqual(after.accounts, []);
    const again = await admin.run(['lockouts', 'release-account', 'mallory@example.com']);
    assert.equal(again.code, 1, 'nothing left to release');
  });

  it('an owner registers, lists and removes redirect URIs; a user lists their consents', async () => {
    await localUser('owner@example.com', 'owner password 1');
    const owner = terminal();
    assert.equal((await owner.run(['login', '--url', portal, '--username', 'owner@example.com'], 'owner password 1\n')).code, 0);
    const app = await owner.json<{ id: string }>(['applications', 'create', '--name', 'Web', '--type', 'public']);
    assert.deepEqual(await owner.json(['redirect-uris', 'add', app.id, 'https://web.example/cb']), { redirectUris: ['https://web.example/cb'] });
    const refused = await owner.run(['redirect-uris', 'add', app.id, 'http://web.example/cb']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /loopback/);
    assert.equal((await owner.run(['redirect-uris', 'list', app.id])).stdout, 'https://web.example/cb\n');
    assert.equal((await owner.run(['redirect-uris', 'remove', app.id, 'https://web.example/cb'])).code, 0);
    assert.deepEqual(await owner.json(['redirect-uris', 'list', app.id]), { redirectUris: [] });
    assert.deepEqual(await owner.json(['consents', 'list']), { items: [], nextCursor: null });
  });
});
