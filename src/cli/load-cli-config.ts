import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { CliError } from './cli-error.js';

export function loadCliConfig(path: string | undefined): Config {
  const file = path ?? process.env.GATEHOUSE_CONFIG;
  if (!file) throw new CliError('no configuration file: pass --config FILE or set GATEHOUSE_CONFIG');
  return loadConfig({ path: file });
}
