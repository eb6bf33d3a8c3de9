import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import { appliedMigrations, LATEST_MIGRATION, MIGRATION_NAMES, migrateToLatest } from '../../src/store/sql/migrations.js';
import type { Store } from '../../src/store/store.js';
import { DATABASE_URL, freshSchema, POSTGRES_SKIP_REASON, withClient, type TestSchema } from '../support/postgres.js';
import { storeConformanceSuite } from './conformance.js';
import { T0 } from './conformance/fixtures.js';

if (DATABASE_URL === undefined) {
  it('PostgreSQL store', { skip: POSTGRES_SKIP_REASON }, () => {});
} else {
  const url = DATABASE_URL;

  storeConformanceSuite('PostgreSQL', async () => {
    const schema = freshSchema(url);
    const open = () => openPostgresStore({ url, schema: schema.name, poolSize: 5 });
    const stores: Store[] = [];
    try {
      stores.push(await open());
    } catch (error) {
      await schema.drop();
      throw error;
    }
    const [store] = stores as [Store];
    return {
      store,
      // Another Gatehouse process: its own pool on the same schema.
      openPeer: async () => {
        const peer = await open();
        stores.push(peer);
        return peer;
      },
      cleanup: async () => {
        try {
          // A peer its test already closed rejects a second close; that is not this cleanup's concern.
          await Promise.allSettled(stores.map((s) => s.close()));
        } finally {
          await schema.drop();
        }
      },
    };
  });

  describe('PostgreSQL store', () => {
    const schemas: TestSchema[] = [];
    const newSchema = () => {
      const schema = freshSchema(url);
      schemas.push(schema);
      return schema;
    };
    after(() => Promise.all(schemas.map((s) => s.drop())));

    /** A Kysely handle on `schema` of our own, to look at the migration table directly. */
    async function withSchemaDb<T>(schema: string, use: (db: Kysely<unknown>) => Promise<T>): Promise<T> {
      const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path="${schema}"` });
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      try {
        return await use(db);
      } finally {
        await db.destroy();
      }
    }

    const migrationCounts = (schema: string) =>
      withClient(url, async (client) => {
        const result = await client.query<{ name: string; n: string }>(
          `SELECT name, count(*) AS n FROM "${schema}".kysely_migration GROUP BY name ORDER BY name`,
        );
        return result.rows.map((row) => [row.name, Number(row.n)] as const);
      });

    const migrationRows = (schema: string) =>
      withClient(url, async (client) => {
        const result = await client.query(`SELECT name, timestamp FROM "${schema}".kysely_migration ORDER BY name`);
        return result.rows;
      });

    it('four instances starting at once on a new schema all open, and each migration runs once', async () => {
      const schema = newSchema();
      const instances = Array.from({ length: 4 }, () => openPostgresStore({ url, schema: schema.name, poolSize: 2 }));
      const opened = await Promise.allSettled(instances);
      const stores = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      try {
        assert.deepEqual(
          opened.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : [])),
          [],
          'every instance opened',
        );
        for (const store of stores) await store.ping();
        const counts = await migrationCounts(schema.name);
        assert.ok(counts.length > 0);
        assert.deepEqual(counts.filter(([, n]) => n !== 1), [], 'each migration recorded exactly once');
        await withSchemaDb(schema.name, async (db) => {
          const applied = await appliedMigrations(db);
          assert.deepEqual(applied, counts.map(([name]) => name));
          assert.equal(applied.at(-1), LATEST_MIGRATION);
          assert.deepEqual(await migrateToLatest(db), [], 'nothing left to apply');
        });
        const user = await stores[0]?.users.create({ authMethod: 'local', email: 'shared@example.com' }, T0);
        assert.deepEqual(await stores[3]?.users.findById(user?.id ?? ''), user, 'all four share one database');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('keeps each schema to itself: a new schema migrates while another already holds Gatehouse tables', async () => {
      const first = newSchema();
      const second = newSchema();
      const a = await openPostgresStore({ url, schema: first.name, poolSize: 2 });
      try {
        await a.users.create({ authMethod: 'local', email: 'only-in-first@example.com' }, T0);
        const b = await openPostgresStore({ url, schema: second.name, poolSize: 2 });
        try {
          assert.deepEqual((await b.users.list()).items, []);
          assert.equal(await b.users.findLocalByLogin('only-in-first@example.com'), null);
          assert.deepEqual(await migrationCounts(second.name), await migrationCounts(first.name));
        } finally {
          await b.close();
        }
      } finally {
        await a.close();
      }
    });

    it('opens while other schemas of the database are created and dropped', async () => {
      // Another tenant's schemas coming and going must not break start-up (the stock Kysely
      // introspector scanned every schema and failed on one dropped mid-scan).
      let churning = true;
      const churn = (async () => {
        for (let i = 0; churning && i < 400; i++) {
          const other = newSchema();
          await withClient(url, async (client) => {
            await client.query(`CREATE SCHEMA "${other.name}"`);
            await client.query(`CREATE TABLE "${other.name}".t (id serial primary key, a text, b text, c text)`);
            await client.query(`DROP SCHEMA "${other.name}" CASCADE`);
          });
        }
      })();
      try {
        for (let i = 0; i < 8; i++) {
          const store = await openPostgresStore({ url, schema: newSchema().name, poolSize: 1 });
          assert.deepEqual(await store.appliedMigrations(), MIGRATION_NAMES);
          await store.close();
        }
      } finally {
        churning = false;
        await churn;
      }
    });

    it('reopening an existing schema keeps its data and applies nothing', async () => {
      const schema = newSchema();
      const first = await openPostgresStore({ url, schema: schema.name, poolSize: 2 });
      const user = await first.users.create({ authMethod: 'local', email: 'persisted@example.com' }, T0);
      await first.close();
      const before = await migrationRows(schema.name);
      const again = await openPostgresStore({ url, schema: schema.name, poolSize: 2 });
      try {
        assert.deepEqual(await again.users.findById(user.id), user);
        assert.deepEqual(await migrationRows(schema.name), before, 'the second open recorded no migration');
      } finally {
        await again.close();
      }
    });
  });
}
