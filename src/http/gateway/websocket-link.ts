import { WebSocket, type RawData } from 'ws';
import type { WebSocketConfig } from '../../config/config.js';

// One proxied WebSocket: every message, ping and pong of one side is sent on to the other, with
// backpressure. ws queues whatever its peer has not taken yet (`bufferedAmount`) without limit,
// so a side that stops reading would make the gateway hold everything the other side sends. Here,
// while one side holds more than `maxBufferedBytes` queued, the other side is no longer read
// (its TCP window closes and the pressure reaches the sender), until half of it is gone; a side
// that stays above the bound for `stallTimeoutMs` is not reading at all, and the link is closed.

/** RFC 6455 §7.4.1 codes the gateway closes with. */
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_POLICY_VIOLATION = 1008;
export const CLOSE_MESSAGE_TOO_BIG = 1009;
export const CLOSE_BAD_GATEWAY = 1014;

export type LinkSide = 'client' | 'upstream';

export interface LinkClosure {
  /** Who ended the link: one side, or the gateway itself. */
  readonly by: LinkSide | 'gateway';
  readonly code: number | undefined;
  readonly reason: string;
}

export interface WebSocketLink {
  /** Closes both sides with this code and reason; what follows from either side is dropped. */
  close(code: number, reason: string): void;
  /** Called once, when the link ends (both sides are closing or closed). */
  onClose(listener: (closure: LinkClosure) => void): void;
}

type Limits = Pick<WebSocketConfig, 'maxBufferedBytes' | 'stallTimeoutMs'>;

/** RFC 6455 §7.4.2: 1005 and 1006 are never sent, and codes 1015 up to 2999 are not defined. */
function sendable(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** A close reason is at most 123 bytes of UTF-8 (RFC 6455 §5.5: 125-byte control payload). */
function shortReason(reason: string): string {
  const bytes = Buffer.from(reason);
  return bytes.length <= 123 ? reason : bytes.subarray(0, 123).toString().replace(/\uFFFD+$/, '');
}

/** The code ws closed a side with for breaking the protocol or the limits; null: a network error. */
function failureCode(error: Error & { code?: string }): number | null {
  if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return CLOSE_MESSAGE_TOO_BIG;
  if (error.code === 'WS_ERR_INVALID_UTF8') return 1007;
  if (error.code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') return CLOSE_POLICY_VIOLATION;
  return error.code?.startsWith('WS_ERR_') ? 1002 : null;
}

/** Forwards `from`'s frames to `to`; returns a function that cancels a pending stall timer. */
function relay(from: WebSocket, to: WebSocket, limits: Limits, onStall: () => void): () => void {
  const resumeAt = limits.maxBufferedBytes / 2;
  let stall: NodeJS.Timeout | undefined;
  const written = (): void => {
    if (stall === undefined || to.bufferedAmount > resumeAt) return;
    clearTimeout(stall);
    stall = undefined;
    from.resume();
  };
  const throttle = (): void => {
    if (stall !== undefined || to.bufferedAmount <= limits.maxBufferedBytes) return;
    from.pause();
    stall = setTimeout(onStall, limits.stallTimeoutMs);
  };
  const forward = (send: () => void): void => {
    if (to.readyState !== WebSocket.OPEN) return;
    send();
    throttle();
  };
  from.on('message', (data: RawData, isBinary: boolean) => forward(() => to.send(data, { binary: isBinary }, written)));
  // Pings and pongs go end to end (autoPong is off on both sides): a dead client is not hidden
  // from the upstream by the gateway answering for it.
  from.on('ping', (data: Buffer) => forward(() => to.ping(data, undefined, written)));
  from.on('pong', (data: Buffer) => forward(() => to.pong(data, undefined, written)));
  return () => clearTimeout(stall);
}

export function linkWebSockets(client: WebSocket, upstream: WebSocket, limits: Limits): WebSocketLink {
  const listeners: ((closure: LinkClosure) => void)[] = [];
  let closure: LinkClosure | null = null;
  const failures = new Map<LinkSide, number>();

  const end = (next: LinkClosure): void => {
    if (closure) return;
    closure = next;
    stopClientRelay();
    stopUpstreamRelay();
    for (const socket of [client, upstream]) {
      // Read again, so that the peer's answering close frame arrives; messages are dropped now.
      socket.resume();
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (next.code !== undefined && sendable(next.code)) socket.close(next.code, shortReason(next.reason));
      else socket.close();
    }
    for (const listener of listeners) listener(next);
  };

  const stalled = (reader: LinkSide) => () =>
    end({ by: 'gateway', code: CLOSE_POLICY_VIOLATION, reason: `${reader} did not read its messages in time` });
  const stopClientRelay = relay(client, upstream, limits, stalled('upstream'));
  const stopUpstreamRelay = relay(upstream, client, limits, stalled('client'));

  for (const [side, socket] of [['client', client], ['upstream', upstream]] as const) {
    socket.on('error', (error: Error) => {
      // A network error ends in a close with 1006, handled below like any dropped connection.
      const code = failureCode(error);
      if (code !== null) failures.set(side, code);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      const failure = failures.get(side);
      if (failure !== undefined) {
        const broke = failure === CLOSE_MESSAGE_TOO_BIG ? 'sent a message over the size limit' : 'broke the WebSocket protocol';
        return end({ by: side, code: failure, reason: `${side} ${broke}` });
      }
      // 1006: the connection dropped without a closing handshake.
      if (code === 1006) {
        return end(side === 'client' ? { by: side, code: CLOSE_GOING_AWAY, reason: 'client went away' } : { by: side, code: CLOSE_BAD_GATEWAY, reason: 'upstream connection lost' });
      }
      end({ by: side, code: code === 1005 ? undefined : code, reason: reason.toString() });
    });
  }

  return {
    close: (code, reason) => end({ by: 'gateway', code, reason }),
    onClose(listener) {
      if (closure) listener(closure);
      else listeners.push(listener);
    },
  };
}
