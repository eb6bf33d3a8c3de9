import { readFileSync } from 'node:fs';
import path from 'node:path';
import Value from 'typebox/value';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError, type Config } from './config.js';
import { applyEnvironmentOverrides } from './env-overrides.js';
import { resolveConfig } from './resolve-config.js';
import { ConfigSchema, ExternalAuthMethod, LocalAuthMethod, type RawConfig } from './schema.js';
import { firstSchemaViolation } from './schema-errors.js';

export interface ConfigSource {
  /** Path of the YAML file. */
  readonly path: string;
  readonly env?: NodeJS.ProcessEnv;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`cannot read ${file} (${code})`);
  }
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true }) ?? {};
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0];
      throw new ConfigError(`not valid YAML${where ? ` at line ${where.line}, column ${where.col}` : ''}: ${error.code}`);
    }
    throw error;
  }
}

// In YAML an empty key (`redis:` followed only by comments) is null; treat it as not set.
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)]),
  );
}

function validated<T>(schema: object, value: unknown, base: string): T {
  const withDefaults = Value.Default(schema as never, value);
  const violation = firstSchemaViolation(schema, withDefaults, base);
  if (violation) throw new ConfigError(violation);
  return withDefaults as T;
}

/** Parses, validates and resolves a configuration file; throws ConfigError naming the bad key. */
export function loadConfig(source: ConfigSource): Config {
  const env = source.env ?? process.env;
  try {
    const raw = dropNulls(readYaml(source.path));
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('(top level): must be a mapping');
    applyEnvironmentOverrides(raw as Record<string, unknown>, env);
    const config = validated<RawConfig>(ConfigSchema, raw, '');
    config.authMethods = config.authMethods.map((method, i) =>
      validated(method.type === 'local' ? LocalAuthMethod : ExternalAuthMethod, method, `authMethods[${i}]`),
    );
    return resolveConfig(config, path.dirname(path.resolve(source.path)), env);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`invalid config ${source.path}: ${error.message}`);
    throw error;
  }
}
