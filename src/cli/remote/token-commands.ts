import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { printPage, print, table, type Column } from './output.js';
import { onRemote, pageOptions, query, remoteCommand } from './remote-command.js';

// `gatehouse tokens ...` (logins: token families), `gatehouse audit list` and `gatehouse apis ...`.

interface Login {
  readonly id: string;
  /** null: a client-credentials token. */
  readonly userId: string | null;
  readonly applicationId: string;
  readonly apiId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

interface AuditEvent {
  readonly at: string;
  readonly type: string;
  readonly actorUserId: string | null;
  readonly userId: string | null;
  readonly apiId: string | null;
  readonly ip: string | null;
  readonly details: Record<string, unknown>;
}

interface Api {
  readonly id: string;
  readonly name: string;
  readonly group: string | null;
  readonly endpoint: string;
  readonly tokenUrls: readonly { authMethod: string; url: string }[];
}

const LOGIN_COLUMNS: readonly Column<Login>[] = [
  ['id', (l) => l.id],
  ['user', (l) => l.userId ?? '(client credentials)'],
  ['application', (l) => l.applicationId],
  ['api', (l) => l.apiId],
  ['since', (l) => l.createdAt],
  ['ends', (l) => l.expiresAt],
];

const AUDIT_COLUMNS: readonly Column<AuditEvent>[] = [
  ['at', (e) => e.at],
  ['type', (e) => e.type],
  ['actor', (e) => e.actorUserId],
  ['user', (e) => e.userId],
  ['api', (e) => e.apiId],
  ['ip', (e) => e.ip],
  ['details', (e) => JSON.stringify(e.details)],
];

export function registerTokenCommands(program: Command): void {
  const tokens = program.command('tokens').description('active logins (token families): list and end them');
  const listCommand = pageOptions(remoteCommand(tokens, 'list', 'active logins of a user or of an application'))
    .option('--user <id>', 'a user’s logins (yours, or anyone’s as an admin)')
    .option('--application <id>', 'the logins through an application you own');
  onRemote<{ user?: string; application?: string; limit?: string; cursor?: string }>(listCommand, async (client, options) => {
    if ((options.user === undefined) === (options.application === undefined)) throw new CliError('pass exactly one of --user and --application');
    const base = options.user ? `/users/${options.user}/logins` : `/applications/${options.application}/logins`;
    printPage(await client.call('GET', `${base}${query({ limit: options.limit, cursor: options.cursor })}`), options.json, LOGIN_COLUMNS);
  });
  onRemote(remoteCommand(tokens, 'revoke <loginId>', 'end one login; its tokens stop working at once'), async (client, _o, [id]) => {
    await client.call('DELETE', `/logins/${id}`);
    process.stdout.write(`ended login ${id}\n`);
  });
  const revokeAll = remoteCommand(tokens, 'revoke-all', 'end every login of a user').requiredOption('--user <id>', 'the user (yourself, or anyone as an admin)');
  onRemote<{ user: string }>(revokeAll, async (client, options) => {
    const result = await client.call<{ revoked: number }>('DELETE', `/users/${options.user}/logins`);
    print(result, options.json, ({ revoked }) => `ended ${revoked} login(s) of user ${options.user}`);
  });

  const audit = program.command('audit').description('the audit log (admin)');
  const auditList = pageOptions(remoteCommand(audit, 'list', 'audit events, newest first'))
    .option('--type <type>', 'e.g. login.refused, subscription.approved')
    .option('--actor <userId>', 'who did it')
    .option('--user <userId>', 'whom it concerned')
    .option('--application <id>')
    .option('--subscription <id>')
    .option('--api <id>')
    .option('--since <time>', 'RFC 3339, e.g. 2026-01-31T00:00:00Z')
    .option('--until <time>', 'RFC 3339');
  type AuditOptions = Record<'type' | 'actor' | 'user' | 'application' | 'subscription' | 'api' | 'since' | 'until' | 'limit' | 'cursor', string | undefined>;
  onRemote<AuditOptions>(auditList, async (client, o) => {
    const filter = { type: o.type, actorUserId: o.actor, userId: o.user, applicationId: o.application, subscriptionId: o.subscription, apiId: o.api };
    printPage(await client.call('GET', `/audit-events${query({ ...filter, since: o.since, until: o.until, limit: o.limit, cursor: o.cursor })}`), o.json, AUDIT_COLUMNS);
  });

  const apis = program.command('apis').description('the configured APIs and their URLs (read-only)');
  onRemote(remoteCommand(apis, 'list', 'APIs with their gateway endpoint and token URLs'), async (client, options) => {
    print(await client.call<{ items: Api[] }>('GET', '/apis'), options.json, ({ items }) =>
      table(items, [
        ['id', (a) => a.id],
        ['name', (a) => a.name],
        ['group', (a) => a.group],
        ['endpoint', (a) => a.endpoint],
        ['token urls', (a) => a.tokenUrls.map((t) => t.url)],
      ]),
    );
  });
}
