#!/usr/bin/env node
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { StoreInUseError } from '../store/sqlite.js';
import { adminCreate } from './admin-create.js';
import { CliError } from './cli-error.js';
import { example } from './example.js';
import { CONFIG_OPTION_HELP } from './load-cli-config.js';
import { migrate } from './migrate.js';
import { registerRemoteCommands } from './remote/remote-commands.js';
import { serve } from './serve.js';

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
  .action(serve);

program
  .command('migrate')
  .description('apply pending database migrations (serve does this at start-up too)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(migrate);

const admin = program.command('admin').description('bootstrap administrators');
admin
  .command('create')
  .description('create an administrator; the password is read from a prompt, or from standard input when piped')
  .requiredOption('--email <email>', "the administrator's email, their sign-in name")
  .option('--name <name>', 'display name')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(adminCreate);

program
  .command('example')
  .description(
    'seed the quick-start example: a demo user and a confidential and a public client with approved trusted subscriptions; ' +
      'prints their credentials (new ones on every run) as shell assignments',
  )
  .option('--api <id>', 'the API to subscribe to (default: the first that accepts a local auth method)')
  .option('-c, --config <file>', CONFIG_OPTION_HELP)
  .action(example);

// Commands against a running server's management API: login, users, applications, ...
registerRemoteCommands(program);

// Errors meant for the operator are one line on stderr; anything else is a bug and keeps its stack.
function isOperatorError(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof CliError || error instanceof StoreInUseError;
}

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isOperatorError(error)) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
  } else if (error instanceof Error && 'code' in error && typeof error.code === 'string' && /^(ECONNREFUSED|ENOTFOUND|28P01|3D000)$/.test(error.code)) {
    process.stderr.write(`gatehouse: cannot reach the database (${error.code}): ${error.message}\n`);
  } else {
    process.stderr.write(`gatehouse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
});
