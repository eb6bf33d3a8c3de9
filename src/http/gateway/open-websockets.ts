import type { AccessTokenVerifier, VerifiedAccessToken } from '../../domain/access-token-verifier.js';
import type { RevocationListener } from '../../domain/revocation-fanout.js';
import { CLOSE_GOING_AWAY, CLOSE_POLICY_VIOLATION, type WebSocketLink } from './websocket-link.js';

// The gateway's open WebSockets, by login (token family). A WebSocket passes admission once, at
// its upgrade, and may then outlive its token by hours; so the end of the login reaches it here:
// a revocation in any process (the fan-out of revocation-fanout.ts) and the access token's expiry
// close it with 1008, as a new request with that token would be refused; an API's maximum
// connection lifetime closes it with 1001, the usual "reconnect" signal.

export interface OpenWebSocket {
  readonly token: VerifiedAccessToken;
  /** The value presented at the upgrade, to check again when revocation messages were lost. */
  readonly presented: string;
  readonly link: WebSocketLink;
  /** Milliseconds from now; null: until the token expires. */
  readonly maxLifetimeMs: number | null;
}

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's longest delay, about 24.8 days

/** Runs `action` in `ms` milliseconds, longer than setTimeout allows if need be; returns a cancel. */
function after(ms: number, action: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (remaining: number): void => {
    timer = setTimeout(() => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : action()), Math.min(Math.max(remaining, 0), MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

export class OpenWebSockets implements RevocationListener {
  readonly #byFamily = new Map<string, Set<OpenWebSocket>>();
  readonly #verifier: Pick<AccessTokenVerifier, 'verify'>;
  readonly #now: () => number;

  constructor(verifier: Pick<AccessTokenVerifier, 'verify'>, now: () => number) {
    this.#verifier = verifier;
    this.#now = now;
  }

  add(socket: OpenWebSocket): void {
    const { familyId } = socket.token;
    let sockets = this.#byFamily.get(familyId);
    if (!sockets) this.#byFamily.set(familyId, (sockets = new Set()));
    sockets.add(socket);
    const cancelExpiry = after(socket.token.expiresAt - this.#now(), () => socket.link.close(CLOSE_POLICY_VIOLATION, 'access token expired'));
    const cancelLifetime =
      socket.maxLifetimeMs === null ? () => {} : after(socket.maxLifetimeMs, () => socket.link.close(CLOSE_GOING_AWAY, 'connection lifetime reached'));
    socket.link.onClose(() => {
      cancelExpiry();
      cancelLifetime();
      sockets.delete(socket);
      if (sockets.size === 0 && this.#byFamily.get(familyId) === sockets) this.#byFamily.delete(familyId);
    });
  }

  familiesRevoked(familyIds: readonly string[]): void {
    for (const familyId of familyIds) {
      for (const socket of [...(this.#byFamily.get(familyId) ?? [])]) socket.link.close(CLOSE_POLICY_VIOLATION, 'login revoked');
    }
  }

  /** Revocations may have been missed: each open WebSocket's token is checked again in the store. */
  messagesMissed(): void {
    // After this tick, so that the access-token cache has been emptied by its own listener.
    setImmediate(() => {
      for (const sockets of this.#byFamily.values()) {
        for (const socket of sockets) {
          void this.#verifier.verify(socket.presented, socket.token.apiId).then(
            (check) => {
              if (!check.active) socket.link.close(CLOSE_POLICY_VIOLATION, 'login revoked');
            },
            // The store is unreachable: the connection stays, like a cached token's would.
            () => {},
          );
        }
      }
    });
  }

  closeAll(code: number, reason: string): void {
    for (const sockets of [...this.#byFamily.values()]) for (const socket of [...sockets]) socket.link.close(code, reason);
  }
}
