import type { Command } from 'commander';
import { print, table } from './output.js';
import { onRemote, remoteCommand } from './remote-command.js';

// `gatehouse lockouts ...`: accounts locked and addresses throttled by brute-force protection,
// and lifting them early (admin).

interface Lockouts {
  readonly accounts: readonly { authMethodId: string; userId: string | null; username: string; failures: number; lockedUntil: string }[];
  readonly addresses: readonly { address: string; failures: number; lockedUntil: string }[];
}

export function registerLockoutCommands(program: Command): void {
  const lockouts = program.command('lockouts').description('locked accounts and throttled addresses (admin)');
  onRemote(remoteCommand(lockouts, 'list', 'accounts and addresses locked out right now'), async (client, options) => {
    print(await client.call<Lockouts>('GET', '/lockouts'), options.json, ({ accounts, addresses }) =>
      [
        table(accounts, [
          ['auth method', (a) => a.authMethodId],
          ['account', (a) => a.username],
          ['user id', (a) => a.userId ?? '(no such account)'],
          ['failures', (a) => String(a.failures)],
          ['locked until', (a) => a.lockedUntil],
        ]),
        table(addresses, [
          ['address', (a) => a.address],
          ['failures', (a) => String(a.failures)],
          ['throttled until', (a) => a.lockedUntil],
        ]),
      ].join('\n'),
    );
  });
  const releaseAccount = remoteCommand(lockouts, 'release-account <username>', "forget an account's failed sign-ins").option(
    '--auth-method <id>',
    'the auth method the account signs in with',
    'local',
  );
  onRemote<{ authMethod: string }>(releaseAccount, async (client, options, [username]) => {
    await client.call('DELETE', `/lockouts/accounts/${encodeURIComponent(options.authMethod)}/${encodeURIComponent(username ?? '')}`);
    process.stdout.write(`released ${username} (${options.authMethod})\n`);
  });
  onRemote(remoteCommand(lockouts, 'release-address <address>', "forget an address's failed sign-ins"), async (client, _options, [address]) => {
    await client.call('DELETE', `/lockouts/addresses/${encodeURIComponent(address ?? '')}`);
    process.stdout.write(`released ${address}\n`);
  });
}
