import { CliError } from '../cli-error.js';
import { deleteCredentials, readCredentials, writeCredentials } from './credentials-file.js';
import { normaliseUrl } from './management-client.js';
import { passwordGrant, revokeRefreshToken } from './portal-tokens.js';
import { readLogin, readSecrets } from './read-secrets.js';

// `gatehouse login` signs in with the password grant of the built-in portal API and keeps the
// refresh token (0600) for the other commands; `gatehouse logout` ends that login on the server
// and forgets it.

export async function login(options: { url?: string; username?: string; authMethod: string }): Promise<void> {
  const chosen = options.url || process.env.GATEHOUSE_URL;
  if (!chosen) throw new CliError('which server? pass --url URL or set GATEHOUSE_URL');
  const url = normaliseUrl(chosen);
  const username = await readLogin(options.username);
  if (!username) throw new CliError('--username is required when standard input is not a terminal');
  const [password] = await readSecrets(['Password']);
  const tokens = await passwordGrant(url, options.authMethod, username, password as string);
  await writeCredentials({ url, authMethod: options.authMethod, username, ...tokens });
  process.stdout.write(`signed in to ${url} as ${username}\n`);
}

export async function logout(): Promise<void> {
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
