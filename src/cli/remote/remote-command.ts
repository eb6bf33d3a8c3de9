import type { Command } from 'commander';
import type { ManagementClient, RemoteOptions } from './management-client.js';

// Every command that talks to a running server has the same two options and the same start:
// find the server and the sign-in, then act.

export const URL_OPTION_HELP = 'the portal listener, e.g. http://127.0.0.1:8081 (default: $GATEHOUSE_URL, else the login)';

export function remoteCommand(parent: Command, nameAndArguments: string, description: string): Command {
  return parent
    .command(nameAndArguments)
    .description(description)
    .option('--url <url>', URL_OPTION_HELP)
    .option('--json', 'print the JSON the API returns instead of a table');
}

export type RemoteAction<O> = (client: ManagementClient, options: O & RemoteOptions, operands: readonly string[]) => Promise<void>;

export function onRemote<O = Record<string, never>>(command: Command, action: RemoteAction<O>): Command {
  return command.action(async (...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const options = self.opts() as O & RemoteOptions;
    // Loaded here, not at start-up: `gatehouse --help` needs none of it (issue 15).
    const { connect } = await import('./management-client.js');
    await action(await connect(options), options, self.args);
  });
}

/** `?limit=..&cursor=..&key=value` from the options that are set. */
export function query(parameters: Record<string, string | number | undefined>): string {
  const entries = Object.entries(parameters).filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '');
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

export function pageOptions(command: Command): Command {
  return command.option('--limit <n>', 'items per page (1-500, default 50)').option('--cursor <cursor>', 'the page after the one that printed this cursor');
}

export const list = (value: string) => value.split(',').map((item) => item.trim()).filter(Boolean);
