import type { Command } from 'commander';
import { lazyAction } from '../lazy-action.js';
import { credentialsPath } from './credentials-file.js';
import { URL_OPTION_HELP } from './remote-command.js';

// `gatehouse login` and `gatehouse logout` (login.ts). The password comes from a prompt, or from
// standard input when piped, never from an argument.

function shownPath(file: string): string {
  const home = process.env.HOME;
  return home && file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
}

export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description(`sign in to a running server's management API; keeps a refresh token in ${shownPath(credentialsPath())} (0600)`)
    .option('--url <url>', URL_OPTION_HELP)
    .option('--username <login>', 'email or username (prompted for at a terminal)')
    .option('--auth-method <id>', 'the auth method to sign in with', 'local')
    .action(lazyAction(async () => (await import('./login.js')).login));
  program
    .command('logout')
    .description('end the stored sign-in on the server and delete it')
    .action(lazyAction(async () => (await import('./login.js')).logout));
}
