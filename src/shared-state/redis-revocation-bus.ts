import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { InMemoryRevocationBus, type RevocationBus, type RevocationListener } from '../domain/revocation-fanout.js';

// Revocation fan-out between Gatehouse processes over Redis pub/sub. Publishing needs the shared
// connection; receiving needs a connection of its own, because a subscribed Redis connection can
// do nothing else (SUBSCRIBE puts it in pub/sub mode). Pub/sub is fire-and-forget: a message
// sent while a process is disconnected is lost to it, so on every reconnect that process drops
// its whole gateway cache rather than trust entries whose revocation it may have missed.

export const REVOCATION_CHANNEL = 'gatehouse:revoked-families';

const MAX_FAMILIES_PER_MESSAGE = 100_000;

function parseMessage(message: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(message);
    if (!Array.isArray(parsed) || parsed.length > MAX_FAMILIES_PER_MESSAGE) return null;
    return parsed.every((id) => typeof id === 'string') ? (parsed as string[]) : null;
  } catch {
    return null;
  }
}

export class RedisRevocationBus implements RevocationBus {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #logger: Logger;
  readonly #local = new InMemoryRevocationBus();
  #subscribed = false;

  constructor(redis: Redis, logger: Logger) {
    this.#redis = redis;
    this.#logger = logger;
    // Not on a request's path: SUBSCRIBE may wait for the connection (with the shared
    // connection's fail-fast options it would fail at start-up while still connecting).
    this.#subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: undefined });
    let lost = false;
    this.#subscriber.on('error', (error: Error) => {
      // One line per outage, not one per reconnect attempt.
      if (lost) return;
      lost = true;
      logger.warn({ err: error }, 'redis revocation subscriber lost its connection; reconnecting');
    });
    let connectedBefore = false;
    this.#subscriber.on('ready', () => {
      if (connectedBefore) {
        this.#local.reportGap();
        if (lost) logger.info('redis revocation subscriber reconnected; cached tokens dropped');
      }
      lost = false;
      connectedBefore = true;
      // ioredis re-subscribes by itself after a reconnect, but only to channels it had joined.
      if (!this.#subscribed) void this.start();
    });
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== REVOCATION_CHANNEL) return;
      const familyIds = parseMessage(message);
      if (familyIds === null) {
        logger.warn({ channel }, 'ignored a malformed revocation message');
        return;
      }
      this.#local.deliver(familyIds);
    });
  }

  /** Resolves once this process receives revocations; failing that, the cache TTL is the bound. */
  async start(): Promise<void> {
    try {
      await this.#subscriber.subscribe(REVOCATION_CHANNEL);
      this.#subscribed = true;
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not subscribe to revocations yet; retrying when Redis is back');
    }
  }

  async publish(familyIds: readonly string[]): Promise<void> {
    // This process first, without waiting for the round trip through Redis.
    this.#local.deliver(familyIds);
    await this.#redis.publish(REVOCATION_CHANNEL, JSON.stringify(familyIds));
  }

  subscribe(listener: RevocationListener): void {
    this.#local.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.#local.close();
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }
}
