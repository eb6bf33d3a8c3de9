import { passwordProblem } from '../domain/password-policy.js';
import { createPasswordHasher } from '../domain/passwords.js';
import { openCliStore } from './store-startup.js';
import { StoreConflictError } from '../store/store.js';
import { CliError } from './cli-error.js';
import { loadCliConfig } from './load-cli-config.js';
import { readNewPassword } from './read-password.js';

// Bootstraps the first administrator straight into the store, before any admin exists to use the
// management API. Later admins are made through the management API.

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export async function adminCreate(options: { config?: string; email: string; name?: string }): Promise<void> {
  const email = options.email.trim();
  if (!EMAIL.test(email)) throw new CliError(`--email: ${JSON.stringify(options.email)} is not an email address`);
  const config = loadCliConfig(options.config);
  if (!config.authMethods.some((m) => m.kind === 'local' && m.id === 'local')) {
    throw new CliError('the configuration declares no auth method "local" of type local; admins sign in with it');
  }
  const password = await readNewPassword();
  const problem = passwordProblem(password);
  if (problem) throw new CliError(`password ${problem}`);
  const passwordHash = await createPasswordHasher().hash(password);
  const store = await openCliStore(config);
  try {
    const now = Date.now();
    const user = await store.users.create({ authMethod: 'local', email, name: options.name ?? null, passwordHash, admin: true }, now);
    await store.audit.record({ type: 'user.created', at: now, userId: user.id, details: { admin: true, via: 'cli' } });
    process.stdout.write(`created admin ${user.email} (id ${user.id})\n`);
  } catch (error) {
    if (error instanceof StoreConflictError) throw new CliError(`a user with email ${email} already exists`);
    throw error;
  } finally {
    await store.close();
  }
}
