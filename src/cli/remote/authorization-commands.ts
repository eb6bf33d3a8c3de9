import type { Command } from 'commander';
import { print, printPage, type Column } from './output.js';
import { onRemote, pageOptions, query, remoteCommand } from './remote-command.js';

// `gatehouse redirect-uris ...` and `gatehouse consents ...`: what the authorization code grant
// needs from the management API (an application's redirect URIs, a user's consents).

interface RedirectUris {
  readonly redirectUris: readonly string[];
}

interface Consent {
  readonly subscriptionId: string;
  readonly applicationId: string;
  readonly apiId: string;
  readonly scope: string;
  readonly grantedAt: string;
}

const CONSENT_COLUMNS: readonly Column<Consent>[] = [
  ['subscription', (c) => c.subscriptionId],
  ['application', (c) => c.applicationId],
  ['api', (c) => c.apiId],
  ['scope', (c) => c.scope],
  ['granted', (c) => c.grantedAt],
];

const lines = (data: RedirectUris) => (data.redirectUris.length === 0 ? '(no redirect URIs)' : data.redirectUris.join('\n'));
const uriPath = (id: string) => `/applications/${encodeURIComponent(id)}/redirect-uris`;

export function registerAuthorizationCommands(program: Command): void {
  const uris = program.command('redirect-uris').description('an application’s redirect URIs (authorization code grant; matched exactly)');
  onRemote(remoteCommand(uris, 'list <applicationId>', 'list an application’s redirect URIs'), async (client, options, [id]) => {
    print(await client.call<RedirectUris>('GET', uriPath(id ?? '')), options.json, lines);
  });
  onRemote(remoteCommand(uris, 'add <applicationId> <uri>', 'register a redirect URI (https, or http for 127.0.0.1, [::1], localhost)'), async (client, options, [id, uri]) => {
    print(await client.call<RedirectUris>('POST', uriPath(id ?? ''), { uri }), options.json, lines);
  });
  onRemote(remoteCommand(uris, 'remove <applicationId> <uri>', 'remove a redirect URI'), async (client, _options, [id, uri]) => {
    await client.call('DELETE', `${uriPath(id ?? '')}${query({ uri })}`);
    process.stdout.write(`removed redirect URI ${uri ?? ''}\n`);
  });

  const consents = program.command('consents').description('applications you allowed to act for you (authorization code grant)');
  const listCommand = pageOptions(remoteCommand(consents, 'list', 'list your consents (an admin: --user)')).option('--user <userId>', 'another user’s (admin)');
  onRemote<{ limit?: string; cursor?: string; user?: string }>(listCommand, async (client, options) => {
    const userId = options.user ?? (await client.call<{ id: string }>('GET', '/users/me')).id;
    printPage(await client.call(`GET`, `/users/${encodeURIComponent(userId)}/consents${query({ limit: options.limit, cursor: options.cursor })}`), options.json, CONSENT_COLUMNS);
  });
  const revokeCommand = remoteCommand(consents, 'revoke <subscriptionId>', 'revoke a consent: the next sign-in asks again, and its logins end').option('--user <userId>', 'another user’s (admin)');
  onRemote<{ user?: string }>(revokeCommand, async (client, options, [subscriptionId]) => {
    const userId = options.user ?? (await client.call<{ id: string }>('GET', '/users/me')).id;
    await client.call('DELETE', `/users/${encodeURIComponent(userId)}/consents/${encodeURIComponent(subscriptionId ?? '')}`);
    process.stdout.write(`revoked consent for subscription ${subscriptionId ?? ''}\n`);
  });
}
