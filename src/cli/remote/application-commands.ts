import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { printPage, print, record, type Column } from './output.js';
import { list, onRemote, pageOptions, query, remoteCommand } from './remote-command.js';

// `gatehouse applications ...`: your applications (an admin's: anyone's).

interface Application {
  readonly id: string;
  readonly name: string;
  readonly clientType: string;
  readonly ownerIds: readonly string[];
  readonly redirectUris: readonly string[];
}

const COLUMNS: readonly Column<Application>[] = [
  ['id', (a) => a.id],
  ['name', (a) => a.name],
  ['type', (a) => a.clientType],
  ['owners', (a) => a.ownerIds],
];

interface ApplicationOptions {
  name?: string;
  type?: string;
  redirectUris?: string[];
  owners?: string[];
}

function body(options: ApplicationOptions): Record<string, unknown> {
  const fields = { name: options.name, clientType: options.type, redirectUris: options.redirectUris, ownerIds: options.owners };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function withApplicationOptions(command: Command): Command {
  return command
    .option('--name <name>', 'display name')
    .option('--type <type>', 'confidential (keeps a secret) or public (cannot)')
    .option('--redirect-uris <uris>', 'comma-separated redirect URIs', list)
    .option('--owners <userIds>', 'comma-separated owner user ids (default: you)', list);
}

export function registerApplicationCommands(program: Command): void {
  const applications = program.command('applications').description('applications (client registrations)');

  const listCommand = pageOptions(remoteCommand(applications, 'list', 'list your applications (an admin: all)')).option('--owner <userId>', 'only this owner’s (admin)');
  onRemote<{ limit?: string; cursor?: string; owner?: string }>(listCommand, async (client, options) => {
    const path = `/applications${query({ limit: options.limit, cursor: options.cursor, ownerId: options.owner })}`;
    printPage(await client.call('GET', path), options.json, COLUMNS);
  });
  onRemote(remoteCommand(applications, 'get <applicationId>', 'show an application'), async (client, options, [id]) => {
    print(await client.call<Application>('GET', `/applications/${id}`), options.json, record);
  });
  onRemote<ApplicationOptions>(withApplicationOptions(remoteCommand(applications, 'create', 'register an application')), async (client, options) => {
    if (!options.name || !options.type) throw new CliError('--name and --type are required');
    print(await client.call<Application>('POST', '/applications', body(options)), options.json, record);
  });
  onRemote<ApplicationOptions>(withApplicationOptions(remoteCommand(applications, 'update <applicationId>', 'change an application')), async (client, options, [id]) => {
    const patch = body(options);
    if (Object.keys(patch).length === 0) throw new CliError('nothing to change: pass at least one option');
    print(await client.call<Application>('PATCH', `/applications/${id}`, patch), options.json, record);
  });
  onRemote(remoteCommand(applications, 'delete <applicationId>', 'delete an application and its subscriptions; their logins end first'), async (client, _o, [id]) => {
    await client.call('DELETE', `/applications/${id}`);
    process.stdout.write(`deleted application ${id}\n`);
  });
}
