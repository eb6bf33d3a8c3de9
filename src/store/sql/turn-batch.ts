/** One caller's outcome in a batch: its own result or its own error. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Collects the calls made in one event-loop turn and hands them to `flush` together (group
 * commit). setImmediate runs after the poll phase: by then every request read in this turn has
 * made its call (handlers run to here in microtasks, with no I/O in between), so nothing waits
 * for a timer. A call is sent only after it was made, never folded into a statement already on its
 * way, so it sees every change committed before it. `flush` settles each call on its own; if it
 * throws, every call of the batch fails with that error.
 */
export function perTurnBatcher<In, Out>(flush: (batch: readonly In[]) => Promise<readonly Settled<Out>[]>, maxBatch: number): (input: In) => Promise<Out> {
  let pending: { readonly input: In; readonly resolve: (value: Out) => void; readonly reject: (error: unknown) => void }[] = [];

  function send(): void {
    const batch = pending.splice(0, maxBatch);
    if (pending.length > 0) setImmediate(send);
    flush(batch.map((call) => call.input)).then(
      (settled) =>
        batch.forEach((call, i) => {
          const outcome = settled[i];
          if (outcome?.ok) call.resolve(outcome.value);
          else call.reject(outcome ? outcome.error : new Error('batch returned no outcome for a call'));
        }),
      (error: unknown) => batch.forEach((call) => call.reject(error)),
    );
  }

  return (input) =>
    new Promise<Out>((resolve, reject) => {
      if (pending.length === 0) setImmediate(send);
      pending.push({ input, resolve, reject });
    });
}
