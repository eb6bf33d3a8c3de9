import { ConfigError } from './config.js';

// Environment variables that override the file, so that one config file serves every machine
// and secrets (database passwords inside URLs) can stay out of it.

type Raw = Record<string, unknown>;

function section(raw: Raw, key: string): Raw {
  const existing = raw[key];
  if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) return existing as Raw;
  const created: Raw = {};
  raw[key] = created;
  return created;
}

function port(name: string, value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`${name}: must be a port number (0-65535), got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

export const ENVIRONMENT_OVERRIDES = [
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'REDIS_URL',
  'GATEHOUSE_DATA_DIR',
  'GATEHOUSE_PUBLIC_URL',
  'GATEHOUSE_PUBLIC_HOST',
  'GATEHOUSE_PUBLIC_PORT',
  'GATEHOUSE_PORTAL_HOST',
  'GATEHOUSE_PORTAL_PORT',
  'GATEHOUSE_LOG_LEVEL',
  'GATEHOUSE_SIGN_UP',
] as const;

/** Applies the overrides in place; an empty variable counts as unset. */
export function applyEnvironmentOverrides(raw: Raw, env: NodeJS.ProcessEnv): void {
  const get = (name: (typeof ENVIRONMENT_OVERRIDES)[number]): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl) section(raw, 'database').url = databaseUrl;
  const databaseSchema = get('DATABASE_SCHEMA');
  if (databaseSchema) section(raw, 'database').schema = databaseSchema;
  const redisUrl = get('REDIS_URL');
  if (redisUrl) section(raw, 'redis').url = redisUrl;
  const dataDir = get('GATEHOUSE_DATA_DIR');
  if (dataDir) raw.dataDir = dataDir;
  const publicUrl = get('GATEHOUSE_PUBLIC_URL');
  if (publicUrl) raw.publicUrl = publicUrl;
  const logLevel = get('GATEHOUSE_LOG_LEVEL');
  if (logLevel) section(raw, 'log').level = logLevel;
  const signUp = get('GATEHOUSE_SIGN_UP');
  if (signUp) section(raw, 'portal').signUp = signUp;
  for (const listener of ['public', 'portal'] as const) {
    const upper = listener.toUpperCase() as 'PUBLIC' | 'PORTAL';
    const host = get(`GATEHOUSE_${upper}_HOST`);
    const portValue = get(`GATEHOUSE_${upper}_PORT`);
    if (host === undefined && portValue === undefined) continue;
    const listeners = section(raw, 'listeners');
    const target = section(listeners, listener);
    if (host !== undefined) target.host = host;
    if (portValue !== undefined) target.port = port(`GATEHOUSE_${upper}_PORT`, portValue);
  }
}
