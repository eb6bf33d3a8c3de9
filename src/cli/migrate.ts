import { openCliStore } from './store-startup.js';
import { loadCliConfig } from './load-cli-config.js';

/** `gatehouse migrate`: applies pending migrations and lists what the database has. */
export async function migrate(options: { config?: string }): Promise<void> {
  const config = loadCliConfig(options.config);
  const store = await openCliStore(config, { migrate: false });
  try {
    const applied = await store.migrate();
    for (const name of applied) process.stdout.write(`applied ${name}\n`);
    const all = await store.appliedMigrations();
    process.stdout.write(`${store.kind} store is at migration ${all.at(-1) ?? '(none)'} (${applied.length} applied now)\n`);
  } finally {
    await store.close();
  }
}
