import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../cli-error.js';

// Where `gatehouse login` keeps the sign-in: $XDG_CONFIG_HOME/gatehouse/credentials.json (or
// ~/.config/gatehouse/...), readable by the user alone (0600, in a 0700 directory), because the
// refresh token in it is a credential. The file is created with its mode, so it is never
// readable by others, even for an instant.

export interface StoredCredentials {
  /** The portal listener's base URL, no trailing slash. */
  readonly url: string;
  readonly authMethod: string;
  readonly username: string;
  readonly refreshToken: string;
  readonly accessToken: string;
  /** ms since the epoch. */
  readonly accessTokenExpiresAt: number;
}

const FILE_MODE = 0o600; // owner read/write only
const DIR_MODE = 0o700;

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'gatehouse', 'credentials.json');
}

export async function readCredentials(file = credentialsPath()): Promise<StoredCredentials | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: Partial<StoredCredentials>;
  try {
    parsed = JSON.parse(text) as Partial<StoredCredentials>;
  } catch {
    throw new CliError(`${file} is not valid JSON: run \`gatehouse logout\` and sign in again`);
  }
  if (typeof parsed.url !== 'string' || typeof parsed.refreshToken !== 'string') return null;
  return parsed as StoredCredentials;
}

export async function writeCredentials(credentials: StoredCredentials, file = credentialsPath()): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: DIR_MODE });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: FILE_MODE });
  // writeFile applies the mode only when it creates the file; an older file keeps its own.
  await chmod(file, FILE_MODE);
}

export async function deleteCredentials(file = credentialsPath()): Promise<void> {
  await rm(file, { force: true });
}
