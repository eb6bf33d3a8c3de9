import type { Command } from 'commander';
import { registerApplicationCommands } from './application-commands.js';
import { registerAuthorizationCommands } from './authorization-commands.js';
import { registerLockoutCommands } from './lockout-commands.js';
import { registerLoginCommands } from './login-commands.js';
import { registerSubscriptionCommands } from './subscription-commands.js';
import { registerTokenCommands } from './token-commands.js';
import { registerUserCommands } from './user-commands.js';

/** The commands that work against a running server's management API (main.ts registers them). */
export function registerRemoteCommands(program: Command): void {
  registerLoginCommands(program);
  registerUserCommands(program);
  registerApplicationCommands(program);
  registerAuthorizationCommands(program);
  registerSubscriptionCommands(program);
  registerTokenCommands(program);
  registerLockoutCommands(program);
}
