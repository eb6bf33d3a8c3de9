#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { CliError } from './cli-error.js';
import { lazyAction } from './lazy-action.js';
import { registerRemoteCommands } from './remote/remote-commands.js';

// Only commander and the command definitions load at start-up; a command's code (the server, the
// store, the configuration parser) is imported when it runs, so `--help` and the management
// commands start in a fraction of a second.

const CONFIG_OPTION_HELP = 'configuration file (default: $GATEHOUSE_CONFIG)';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('gatehouse')
  .version(version)
  .description('API management for first-party apps: OAuth2 password grant, rotating refresh tokens, a bearer-token gateway')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('serve')
  .description('run the public listener (gateway + /auth) and the portal listener (management API + portal)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(lazyAction(async () => (await import('./serve.js')).serve));

program
  .command('migrate')
  .description('apply pending database migrations (serve does this at start-up too)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(lazyAction(async () => (await import('./migrate.js')).migrate));

const admin = program.command('admin').description('bootstrap administrators');
admin
  .command('create')
  .description('create an administrator; the password is read from a prompt, or from standard input when piped')
  .requiredOption('--email <email>', "the administrator's email, their sign-in name")
  .option('--name <name>', 'display name')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(lazyAction(async () => (await import('./admin-create.js')).adminCreate));

program
  .command('example')
  .description(
    'seed the quick-start example: a demo user and a confidential and a public client with approved trusted subscriptions; ' +
      'prints their credentials (new ones on every run) as shell assignments',
  )
  .option('--api <id>', 'the API to subscribe to (default: the first that accepts a local auth method)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(lazyAction(async () => (await import('./example.js')).example));

// Commands against a running server's management API: login, users, applications, ...
registerRemoteCommands(program);

// Errors meant for the operator are one line on stderr; anything else is a bug and keeps its stack.
async function isOperatorError(error: unknown): Promise<boolean> {
  if (error instanceof ConfigError || error instanceof CliError) return true;
  // Only a command that opened the embedded store throws this, and then its module is loaded
  // already: the import costs nothing where it matters and is skipped by the fast commands.
  const sqlite = await import('../store/sqlite.js').catch(() => null);
  return sqlite !== null && error instanceof sqlite.StoreInUseError;
}

program.parseAsync(process.argv).catch(async (error: unknown) => {
  if (error instanceof Error && (await isOperatorError(error))) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
  } else if (error instanceof Error && 'code' in error && typeof error.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|28P01|3D000)$/.test(error.code)) {
    process.stderr.write(`gatehouse: cannot reach the database (${error.code}): ${error.message}\n`);
  } else if (error instanceof Error && 'code' in error && typeof error.code === 'string' && /^(EADDRINUSE|EADDRNOTAVAIL|EACCES)$/.test(error.code) && 'syscall' in error && error.syscall === 'listen') {
    process.stderr.write(`gatehouse: cannot start: ${error.message} (listeners in the config)\n`);
  } else {
    process.stderr.write(`gatehouse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  // A command that failed ends here, whatever it left open (a listener, a pool, a worker thread):
  // a server that reported that it cannot start must not stay up. stderr on a pipe or file is
  // written synchronously, so the message is out.
  process.exit(1);
});
