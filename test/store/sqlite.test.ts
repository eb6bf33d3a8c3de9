import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { appliedMigrations, LATEST_MIGRATION, migrateToLatest } from '../../src/store/sql/migrations.js';
import { openSqliteStore, SQLITE_FILE_NAME, StoreInUseError } from '../../src/store/sqlite.js';
import { tempDir } from '../support/temp-dir.js';
import { storeConformanceSuite } from './conformance.js';
import { newFamily, pairAt, seedSubscription, T0 } from './conformance/fixtures.js';
import { rejectsWithCode } from './conformance/harness.js';

storeConformanceSuite('SQLite', async () => {
  const dir = tempDir('gatehouse-store-');
  try {
    const store = await openSqliteStore({ dataDir: dir.path });
    return {
      store,
      cleanup: async () => {
        try {
          await store.close();
        } finally {
          dir.remove();
        }
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
});

/** Runs `body` with a fresh data directory that is removed afterwards. */
async function withDataDir(body: (dataDir: string) => Promise<void>): Promise<void> {
  const dir = tempDir('gatehouse-sqlite-');
  try {
    await body(dir.path);
  } finally {
    dir.remove();
  }
}

/** The migration table as the file holds it, read through a connection of our own. */
function migrationRows(dataDir: string): unknown[] {
  const db = new BetterSqlite3(path.join(dataDir, SQLITE_FILE_NAME), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT name, timestamp FROM kysely_migration ORDER BY name').all();
  } finally {
    db.close();
  }
}

describe('SQLite store', () => {
  it('keeps its database file in WAL journal mode', () =>
    withDataDir(async (dataDir) => {
      const store = await openSqliteStore({ dataDir });
      await store.close();
      const file = path.join(dataDir, SQLITE_FILE_NAME);
      // File format bytes 18 and 19 are 2 in a WAL database (https://sqlite.org/fileformat2.html#walformat).
      const header = readFileSync(file).subarray(18, 20);
      assert.deepEqual([...header], [2, 2]);
      const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
      try {
        assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        db.close();
      }
    }));

  it('refuses a second open of a data directory in use, and reopens it with its data once closed', () =>
    withDataDir(async (dataDir) => {
      const first = await openSqliteStore({ dataDir });
      let user;
      try {
        user = await first.users.create({ authMethod: 'local', email: 'kept@example.com' }, T0);
        await rejectsWithCode(openSqliteStore({ dataDir }), StoreInUseError, 'store_in_use');
        await first.ping();
        assert.deepEqual(await first.users.findById(user.id), user, 'the refused open did not disturb the holder');
      } finally {
        await first.close();
      }
      const reopened = await openSqliteStore({ dataDir });
      try {
        assert.deepEqual(await reopened.users.findLocalByLogin('kept@example.com'), user);
      } finally {
        await reopened.close();
      }
    }));

  it('applies each migration once, and nothing when opened again', () =>
    withDataDir(async (dataDir) => {
      await (await openSqliteStore({ dataDir })).close();
      const afterFirst = migrationRows(dataDir);
      await (await openSqliteStore({ dataDir })).close();
      assert.deepEqual(migrationRows(dataDir), afterFirst, 'the second open recorded no migration');

      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(dataDir, SQLITE_FILE_NAME)) }) });
      try {
        const applied = await appliedMigrations(db);
        assert.equal(applied.at(-1), LATEST_MIGRATION);
        assert.equal(new Set(applied).size, applied.length);
        assert.deepEqual(afterFirst.map((row) => (row as { name: string }).name), applied);
        assert.deepEqual(await migrateToLatest(db), [], 'nothing left to apply');
      } finally {
        await db.destroy();
      }
    }));

  it('opens without migrating when asked, and migrates on the next default open', () =>
    withDataDir(async (dataDir) => {
      const bare = await openSqliteStore({ dataDir, migrate: false });
      try {
        await bare.ping();
        await assert.rejects(bare.users.list(), 'no tables before migrating');
      } finally {
        await bare.close();
      }
      const migrated = await openSqliteStore({ dataDir });
      try {
        assert.deepEqual((await migrated.users.list()).items, []);
      } finally {
        await migrated.close();
      }
    }));

  // The hot paths run better-sqlite3 statements directly on the connection Kysely uses; a Kysely
  // transaction holds that connection across awaits, so a login started in between must not
  // land inside it and be rolled back with it.
  it('a login started while another transaction is open is not rolled back with that transaction', () =>
    withDataDir(async (dataDir) => {
      const store = await openSqliteStore({ dataDir });
      try {
        const seed = await seedSubscription(store);
        const families = [];
        for (let hops = 0; hops < 40; hops++) {
          // Fails on its last statement (no such owner) and rolls back.
          const failing = store.applications.update(seed.application.id, { name: `renamed ${hops}`, ownerIds: ['no-such-user'] }, T0 + 1);
          for (let i = 0; i < hops; i++) await Promise.resolve();
          const family = newFamily(seed);
          const started = store.tokens.createFamily(family, pairAt(T0));
          await assert.rejects(failing);
          await started;
          families.push(family.id);
        }
        for (const id of families) assert.ok(await store.tokens.findFamily(id), `family ${id} is stored`);
        assert.equal((await store.applications.findById(seed.application.id))?.name, seed.application.name, 'the failed updates changed nothing');
      } finally {
        await store.close();
      }
    }));
});
