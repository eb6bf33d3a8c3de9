import type { Command } from 'commander';
import { read } from 'read';
import { CliError } from '../cli-error.js';
import { credentialsPath, deleteCredentials, readCredentials, writeCredentials } from './credentials-file.js';
import { normaliseUrl } from './management-client.js';
import { passwordGrant, revokeRefreshToken } from './portal-tokens.js';
import { URL_OPTION_HELP } from './remote-command.js';

// `gatehouse login` signs in with the password grant of the built-in portal API and keeps the
// refresh token (0600) for the other commands; `gatehouse logout` ends that login on the server
// and forgets it. The password comes from a prompt, or from standard input when piped, never
// from an argument, where it would sit in the shell history and in `ps`.

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Lines from a pipe, or answers to prompts at a terminal. */
export async function readSecrets(prompts: readonly string[]): Promise<string[]> {
  if (!process.stdin.isTTY) {
    const lines = (await readStdin()).split(/\r?\n/);
    if (lines.length < prompts.length || lines.slice(0, prompts.length).some((line) => line === '')) {
      throw new CliError(`standard input must hold ${prompts.length === 1 ? 'the password' : `${prompts.length} lines: ${prompts.join(', ')}`}`);
    }
    return lines.slice(0, prompts.length);
  }
  const answers: string[] = [];
  for (const prompt of prompts) answers.push(String(await read({ prompt: `${prompt}: `, silent: true, replace: '*', output: process.stderr })));
  return answers;
}

async function login(options: { url?: string; username?: string; authMethod: string }): Promise<void> {
  const chosen = options.url || process.env.GATEHOUSE_URL;
  if (!chosen) throw new CliError('which server? pass --url URL or set GATEHOUSE_URL');
  const url = normaliseUrl(chosen);
  const username = options.username ?? (process.stdin.isTTY ? String(await read({ prompt: 'Email or username: ', output: process.stderr })) : undefined);
  if (!username) throw new CliError('--username is required when standard input is not a terminal');
  const [password] = await readSecrets(['Password']);
  const tokens = await passwordGrant(url, options.authMethod, username, password as string);
  await writeCredentials({ url, authMethod: options.authMethod, username, ...tokens });
  process.stdout.write(`signed in to ${url} as ${username}\n`);
}

async function logout(): Promise<void> {
  // A damaged file is forgotten too: there is nothing in it to sign out with.
  const stored = await readCredentials().catch(() => null);
  if (!stored) {
    await deleteCredentials();
    process.stdout.write('not signed in\n');
    return;
  }
  // Forget the login even when the server cannot be told: the user asked to be signed out here.
  const revoked = await revokeRefreshToken(stored.url, stored.authMethod, stored.refreshToken).catch(() => false);
  await deleteCredentials();
  process.stdout.write(revoked ? `signed out of ${stored.url}\n` : `forgot the sign-in to ${stored.url} (the server could not be told)\n`);
}

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
    .action(login);
  program.command('logout').description('end the stored sign-in on the server and delete it').action(logout);
}
