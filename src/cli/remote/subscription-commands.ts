import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { printPage, print, record, type Column } from './output.js';
import { onRemote, pageOptions, query, remoteCommand } from './remote-command.js';

// `gatehouse subscriptions ...` and `gatehouse approvals ...`: subscribing applications to APIs
// (--trusted for the password grant), deciding, revoking, and client secrets (shown once).

interface Subscription {
  readonly id: string;
  readonly applicationId: string;
  readonly apiId: string;
  readonly plan: string;
  readonly trusted: boolean;
  readonly status: string;
  readonly clientId: string | null;
}

interface Issued {
  readonly subscription: Subscription;
  readonly clientId: string;
  readonly clientSecret: string | null;
}

const COLUMNS: readonly Column<Subscription>[] = [
  ['id', (s) => s.id],
  ['application', (s) => s.applicationId],
  ['api', (s) => s.apiId],
  ['plan', (s) => s.plan],
  ['trusted', (s) => (s.trusted ? 'yes' : 'no')],
  ['status', (s) => s.status],
  ['client id', (s) => s.clientId],
];

interface Approval extends Subscription {
  readonly applicationName: string | null;
  readonly clientType: string | null;
}

// What an approver decides on, and what `subscriptions approve` must repeat.
const APPROVAL_COLUMNS: readonly Column<Approval>[] = [
  ['id', (s) => s.id],
  ['application', (s) => s.applicationName ?? `(deleted) ${s.applicationId}`],
  ['client type', (s) => s.clientType],
  ['api', (s) => s.apiId],
  ['plan', (s) => s.plan],
  ['trusted', (s) => (s.trusted ? 'yes' : 'no')],
];

function printIssued(issued: Issued, json: boolean | undefined): void {
  print(issued, json, ({ subscription, clientId, clientSecret }) =>
    [
      record(subscription),
      '',
      `client_id      ${clientId}`,
      clientSecret === null ? 'client_secret  (none: a public client)' : `client_secret  ${clientSecret}`,
      ...(clientSecret === null ? [] : ['', 'The client secret is shown only now; it is stored hashed. Keep it safe.']),
      ...(subscription.status === 'pending' ? ['The subscription waits for approval; until then the password grant answers unauthorized_client.'] : []),
    ].join('\n'),
  );
}

export function registerSubscriptionCommands(program: Command): void {
  const subscriptions = program.command('subscriptions').description('subscriptions of applications to APIs');

  const listCommand = pageOptions(remoteCommand(subscriptions, 'list', 'list an application’s subscriptions')).requiredOption('--application <id>', 'the application');
  onRemote<{ application: string; limit?: string; cursor?: string }>(listCommand, async (client, options) => {
    const path = `/applications/${options.application}/subscriptions${query({ limit: options.limit, cursor: options.cursor })}`;
    printPage(await client.call('GET', path), options.json, COLUMNS);
  });
  onRemote(remoteCommand(subscriptions, 'get <subscriptionId>', 'show a subscription'), async (client, options, [id]) => {
    print(await client.call<Subscription>('GET', `/subscriptions/${id}`), options.json, record);
  });
  const create = remoteCommand(subscriptions, 'create', 'subscribe an application to an API; prints its client credentials once')
    .requiredOption('--application <id>', 'the application')
    .requiredOption('--api <id>', 'the API')
    .option('--plan <id>', 'the plan (default: the API’s first)')
    .option('--trusted', 'for the password grant; always waits for approval');
  onRemote<{ application: string; api: string; plan?: string; trusted?: boolean }>(create, async (client, options) => {
    const body = { applicationId: options.application, apiId: options.api, trusted: options.trusted ?? false, ...(options.plan ? { plan: options.plan } : {}) };
    printIssued(await client.call<Issued>('POST', '/subscriptions', body), options.json);
  });
  const update = remoteCommand(subscriptions, 'update <subscriptionId>', 'change plan or trust; becoming trusted waits for approval again')
    .option('--plan <id>', 'the new plan')
    .option('--trusted', 'ask for trust (back to the approval queue)')
    .option('--no-trusted', 'drop trust: its logins end at once');
  onRemote<{ plan?: string; trusted?: boolean }>(update, async (client, options, [id]) => {
    const body = { ...(options.plan ? { plan: options.plan } : {}), ...(options.trusted === undefined ? {} : { trusted: options.trusted }) };
    if (Object.keys(body).length === 0) throw new CliError('nothing to change: pass --plan, --trusted or --no-trusted');
    print(await client.call<Subscription>('PATCH', `/subscriptions/${id}`, body), options.json, record);
  });
  // A decision names what it decides on, as `approvals list` showed it: if the owner changed the
  // subscription meanwhile, the server refuses (409) and nothing changes.
  for (const [name, description] of [
    ['approve', 'approve a pending subscription (admin, or approver of the API’s group)'],
    ['decline', 'decline a subscription (admin, or approver of the API’s group); its logins end at once'],
  ] as const) {
    const decision = remoteCommand(subscriptions, `${name} <subscriptionId>`, `${description}; refused if it is no longer what you name`)
      .requiredOption('--plan <id>', `the plan you ${name}, as \`approvals list\` shows it`)
      .option('--trusted', `you ${name} a trusted subscription (the password grant)`)
      .option('--no-trusted', `you ${name} a subscription that is not trusted`)
      .option('--client-type <type>', 'the application’s client type you read: confidential or public');
    onRemote<{ plan: string; trusted?: boolean; clientType?: string }>(decision, async (client, options, [id]) => {
      if (options.trusted === undefined) throw new CliError('say what you decide on: pass --trusted or --no-trusted, as `approvals list` shows it');
      if (options.clientType !== undefined && options.clientType !== 'confidential' && options.clientType !== 'public') {
        throw new CliError('--client-type is confidential or public');
      }
      const body = { plan: options.plan, trusted: options.trusted, ...(options.clientType ? { clientType: options.clientType } : {}) };
      print(await client.call<Subscription>('POST', `/subscriptions/${id}/${name}`, body), options.json, record);
    });
  }
  onRemote(remoteCommand(subscriptions, 'revoke <subscriptionId>', 'revoke (delete) a subscription; its logins end at once'), async (client, _o, [id]) => {
    await client.call('DELETE', `/subscriptions/${id}`);
    process.stdout.write(`revoked subscription ${id}\n`);
  });
  onRemote(remoteCommand(subscriptions, 'regenerate-secret <subscriptionId>', 'a new client secret, shown once; the old one stops working'), async (client, options, [id]) => {
    printIssued(await client.call<Issued>('POST', `/subscriptions/${id}/secret`), options.json);
  });

  const approvals = program.command('approvals').description('the subscriptions waiting for your decision');
  const queue = pageOptions(remoteCommand(approvals, 'list', 'pending subscriptions you may decide, oldest first')).option('--api <id>', 'only this API');
  onRemote<{ api?: string; limit?: string; cursor?: string }>(queue, async (client, options) => {
    printPage(await client.call('GET', `/approvals${query({ apiId: options.api, limit: options.limit, cursor: options.cursor })}`), options.json, APPROVAL_COLUMNS);
  });
}
