import type { ServerResponse } from 'node:http';
import type { preHandlerHookHandler } from 'fastify';
import type { ApiConfig } from '../../config/config.js';
import { defaultMaxConcurrent } from '../../config/resolve-config.js';
import { sendContinue } from '../expect-continue.js';
import { admittedToken } from './admission.js';
import { sendConcurrencyLimited, sendUpstreamBusy } from './gateway-replies.js';
import type { UpstreamSlots, Waiter } from './upstream-slots.js';

// The last step before a request is proxied: a slot of the API's upstream pool, within the
// subscription's fair share (its plan's maxConcurrent). The slot is held until the response to
// the client has ended or its connection closed, whichever comes first. WebSocket upgrades do
// not use the pool and pass.

const kHolder = Symbol('upstream slot holder');
type HoldingResponse = ServerResponse & { [kHolder]?: string | undefined };
// Node sets `upgrade` on requests it hands to the 'upgrade' event (WebSockets).
type MaybeUpgrade = { readonly upgrade?: boolean };

export function upstreamAdmission(api: ApiConfig, slots: UpstreamSlots): preHandlerHookHandler {
  const fallbackShare = defaultMaxConcurrent(slots.capacity);
  const shares = new Map(api.plans.map((plan) => [plan.id, plan.maxConcurrent ?? fallbackShare]));

  function releaseSlot(this: HoldingResponse): void {
    const holder = this[kHolder];
    if (holder === undefined) return;
    this[kHolder] = undefined;
    slots.release();
    slots.releaseShare(holder);
  }

  function hold(response: HoldingResponse, subscriptionId: string): void {
    response[kHolder] = subscriptionId;
    // `on`, not `once`: releaseSlot runs its body once anyway, and once() wraps the listener in a
    // new closure for every request.
    response.on('close', releaseSlot);
  }

  return function reserveUpstreamSlot(request, reply, done) {
    if ((request.raw as MaybeUpgrade).upgrade === true) return done();
    const response = reply.raw as HoldingResponse;
    // The client left while its token was looked up: its response has closed already, and no
    // 'close' would come to give back a share or slot taken now. Taken anyway, they leaked, and the
    // plan's maxConcurrent shrank for good (the bench's PostgreSQL rounds got 10,139 429s).
    if (response.destroyed) {
      request.log.debug({ api: api.id }, 'client closed the connection before its request was proxied');
      return void reply.hijack();
    }
    const { subscriptionId, plan } = admittedToken(request);
    const share = shares.get(plan) ?? fallbackShare;
    if (!slots.claimShare(subscriptionId, share)) return void sendConcurrencyLimited(reply, share);
    if (slots.tryTake()) {
      hold(response, subscriptionId);
      sendContinue(request.raw, response);
      return done();
    }
    let waiter: Waiter | undefined;
    const gone = () => {
      if (waiter) slots.cancel(waiter);
      slots.releaseShare(subscriptionId);
    };
    response.once('close', gone);
    waiter = slots.queue((granted) => {
      response.removeListener('close', gone);
      if (!granted) {
        slots.releaseShare(subscriptionId);
        request.log.warn({ api: api.id, waitedMs: slots.waitTimeoutMs }, 'no upstream connection came free in time');
        return void sendUpstreamBusy(reply);
      }
      hold(response, subscriptionId);
      sendContinue(request.raw, response);
      done();
    });
  };
}
