import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { printPage, print, record, type Column } from './output.js';
import { list, onRemote, pageOptions, query, remoteCommand } from './remote-command.js';

// `gatehouse users ...`: accounts, roles and passwords through the management API.

interface User {
  readonly id: string;
  readonly email: string | null;
  readonly username: string | null;
  readonly name: string | null;
  readonly admin: boolean;
  readonly approverOf: readonly string[];
  readonly groups: readonly string[];
  readonly disabled: boolean;
}

const COLUMNS: readonly Column<User>[] = [
  ['id', (u) => u.id],
  ['email', (u) => u.email],
  ['username', (u) => u.username],
  ['admin', (u) => (u.admin ? 'yes' : '')],
  ['approver of', (u) => u.approverOf],
  ['groups', (u) => u.groups],
  ['disabled', (u) => (u.disabled ? 'yes' : '')],
];

interface ProfileOptions {
  email?: string;
  username?: string;
  name?: string;
  groups?: string[];
  approverOf?: string[];
  admin?: boolean;
}

function profile(options: ProfileOptions): Record<string, unknown> {
  const { email, username, name, groups, approverOf, admin } = options;
  return Object.fromEntries(Object.entries({ email, username, name, groups, approverOf, admin }).filter(([, v]) => v !== undefined));
}

function withProfileOptions(command: Command): Command {
  return command
    .option('--email <email>', 'sign-in email')
    .option('--username <name>', 'sign-in name')
    .option('--name <name>', 'display name')
    .option('--groups <ids>', 'comma-separated groups', list)
    .option('--approver-of <ids>', 'comma-separated groups whose subscriptions this user approves', list);
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('users, roles and passwords (most need an admin)');

  onRemote<{ limit?: string; cursor?: string }>(pageOptions(remoteCommand(users, 'list', 'list users')), async (client, options) => {
    printPage(await client.call('GET', `/users${query({ limit: options.limit, cursor: options.cursor })}`), options.json, COLUMNS);
  });
  onRemote(remoteCommand(users, 'me', 'show the signed-in user'), async (client, options) => {
    print(await client.call<User>('GET', '/users/me'), options.json, record);
  });
  onRemote(remoteCommand(users, 'get <userId>', 'show a user'), async (client, options, [id]) => {
    print(await client.call<User>('GET', `/users/${id}`), options.json, record);
  });
  const create = withProfileOptions(remoteCommand(users, 'create', 'create a local user; with --password-stdin the password is read from standard input'))
    .option('--admin', 'make the user an admin')
    .option('--password-stdin', 'read an initial password from standard input (or a prompt at a terminal)');
  onRemote<ProfileOptions & { passwordStdin?: boolean }>(create, async (client, options) => {
    const body = profile(options);
    if (options.passwordStdin) [body.password] = await (await import('./read-secrets.js')).readSecrets(['Password']);
    print(await client.call<User>('POST', '/users', body), options.json, record);
  });
  const update = withProfileOptions(remoteCommand(users, 'update <userId>', 'change a user; roles and groups are for admins, never on yourself'))
    .option('--admin', 'make the user an admin')
    .option('--no-admin', 'take admin away');
  onRemote<ProfileOptions>(update, async (client, options, [id]) => {
    const body = profile(options);
    if (Object.keys(body).length === 0) throw new CliError('nothing to change: pass at least one option');
    print(await client.call<User>('PATCH', `/users/${id}`, body), options.json, record);
  });
  for (const [name, disabled, description] of [
    ['disable', true, 'disable a user: their logins end at once'],
    ['enable', false, 'enable a disabled user'],
  ] as const) {
    onRemote(remoteCommand(users, `${name} <userId>`, description), async (client, options, [id]) => {
      print(await client.call<User>('PATCH', `/users/${id}`, { disabled }), options.json, record);
    });
  }
  onRemote(remoteCommand(users, 'delete <userId>', 'delete a user: their logins end first'), async (client, _options, [id]) => {
    await client.call('DELETE', `/users/${id}`);
    process.stdout.write(`deleted user ${id}\n`);
  });
  onRemote(
    remoteCommand(users, 'set-password <userId>', 'set your password (current, then new) or reset a user’s (admin); read from prompts or standard input lines'),
    async (client, _options, [id]) => {
      const me = await client.call<User>('GET', '/users/me');
      const own = me.id === id;
      const { readSecrets } = await import('./read-secrets.js');
      const answers = await readSecrets(own ? ['Current password', 'New password'] : ['New password']);
      const body = own ? { currentPassword: answers[0], password: answers[1] } : { password: answers[0] };
      await client.call('PUT', `/users/${id}/password`, body);
      process.stdout.write(`password set; every login of user ${id} has ended${own ? ': run `gatehouse login` again' : ''}\n`);
    },
  );
}
