import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { StoreUnavailableError } from './store.js';

// Which PostgreSQL failures mean "the database cannot answer now" (StoreUnavailableError, a 503
// on every surface) rather than "this statement is wrong" (a bug, a 500), and a pool for Kysely
// that raises them. Without bounds a paused server held requests for minutes: the pool's wait
// and a new connection are bounded by connectionTimeoutMillis, a statement by statement_timeout
// (server side) and by query_timeout (client side, for a server that does not answer at all).

export interface PostgresTimeouts {
  /** Pool wait or a new connection (TCP, TLS, start-up). */
  readonly connectTimeoutMs: number;
  /** One statement, enforced by the server. */
  readonly queryTimeoutMs: number;
}

/** The client gives up this much after the server's statement_timeout, so that a live server cancels first. */
export const CLIENT_QUERY_GRACE_MS = 1_000;

// SQLSTATE classes of a server that cannot serve now (PostgreSQL appendix A): 08 connection
// exception, 53 insufficient resources (too many connections, disk full), 57 operator
// intervention (57014 statement timeout, 57P01 shutdown, 57P03 starting up), 58 system error;
// and 55P03, a lock not obtained within lock_timeout.
const UNAVAILABLE_SQLSTATE = /^(08|53|57|58)...$|^55P03$/;

// Socket failures: the server is down, unreachable, or dropped the connection.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

function isSqlState(code: unknown): boolean {
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** What pg and pg-pool say, without a code, when a connection is dead, stalled or never came. */
function driverFailure(message: string, timeouts: PostgresTimeouts): string | null {
  if (message === 'timeout exceeded when trying to connect') return `no free connection within ${timeouts.connectTimeoutMs} ms`;
  if (message === 'Connection terminated due to connection timeout' || message === 'timeout expired') {
    return `no connection within ${timeouts.connectTimeoutMs} ms`;
  }
  if (message === 'Query read timeout') return `no answer within ${timeouts.queryTimeoutMs + CLIENT_QUERY_GRACE_MS} ms`;
  if (message.startsWith('Connection terminated') || message.includes('not queryable')) return 'the connection was closed';
  return null;
}

/** A reason when `error` says the database is unavailable; null when it is some other failure. */
export function unavailabilityReason(error: unknown, timeouts: PostgresTimeouts): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code === '57014') return `a statement ran past the query timeout (${timeouts.queryTimeoutMs} ms)`;
    if (UNAVAILABLE_SQLSTATE.test(code)) return `the server refused to serve (SQLSTATE ${code})`;
    if (SOCKET_CODES.has(code)) return `the connection failed (${code})`;
  }
  return typeof message === 'string' ? driverFailure(message, timeouts) : null;
}

/** `error` as a StoreUnavailableError when it is one, unchanged otherwise. */
export function asStoreUnavailable(error: unknown, timeouts: PostgresTimeouts): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const reason = unavailabilityReason(error, timeouts);
  return reason === null ? error : new StoreUnavailableError(reason, error);
}

/** pg's client options that bound every wait; `statement_timeout` is sent in the start-up packet. */
export function clientTimeouts(timeouts: PostgresTimeouts) {
  return {
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    statement_timeout: timeouts.queryTimeoutMs,
    query_timeout: timeouts.queryTimeoutMs + CLIENT_QUERY_GRACE_MS,
  };
}

/** One pg client as Kysely sees it; remembers, for its release, whether its connection broke. */
class GuardedClient {
  readonly #raw: pg.PoolClient;
  readonly #timeouts: PostgresTimeouts;
  #failed: Error | null = null;

  constructor(raw: pg.PoolClient, timeouts: PostgresTimeouts) {
    this.#raw = raw;
    this.#timeouts = timeouts;
    // pg-pool listens for errors only while a client is idle; one that dies while checked out
    // (between a transaction's statements) would otherwise be an uncaught exception.
    raw.on('error', (error) => {
      this.#failed = new StoreUnavailableError(unavailabilityReason(error, timeouts) ?? 'the connection failed', error);
    });
  }

  checkedOut(): this {
    this.#failed = null;
    return this;
  }

  async query(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<unknown>> {
    try {
      return (await this.#raw.query(sql, [...parameters])) as unknown as PostgresQueryResult<unknown>;
    } catch (error) {
      const translated = asStoreUnavailable(error, this.#timeouts);
      // An SQLSTATE comes from a live session (e.g. statement_timeout); anything else broke it.
      if (translated instanceof StoreUnavailableError && !isSqlState((error as { code?: unknown }).code)) this.#failed = translated;
      throw translated;
    }
  }

  release(): void {
    const failed = this.#failed;
    this.#failed = null;
    // pg-pool destroys a client released with an error instead of keeping it.
    this.#raw.release(failed ?? undefined);
  }
}

/**
 * The pool as Kysely sees it: failures translated, and a connection that failed below SQL (a
 * read timeout, a reset) is destroyed on release instead of going back to the pool, where it
 * would stall the next request that borrows it.
 */
export function availabilityPool(pool: pg.Pool, timeouts: PostgresTimeouts): PostgresPool {
  // One wrapper per pg client: Kysely keys its connection objects on the client it is handed.
  const guarded = new WeakMap<pg.PoolClient, GuardedClient>();
  return {
    async connect() {
      let raw: pg.PoolClient;
      try {
        raw = await pool.connect();
      } catch (error) {
        throw asStoreUnavailable(error, timeouts);
      }
      let client = guarded.get(raw);
      if (!client) {
        client = new GuardedClient(raw, timeouts);
        guarded.set(raw, client);
      }
      // Kysely never streams here (no cursor configured), so only the (sql, parameters) form exists.
      return client.checkedOut() as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
