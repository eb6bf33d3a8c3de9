import { request as httpRequest, type IncomingMessage } from 'node:http';

// The remote commands' one HTTP request each, on node:http rather than the global fetch: fetch
// loads and compiles undici on first use, which cost a remote command about 0.14 s of CPU, a
// third of its run (issue 15: a remote command within 0.4 s).

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly body: string;
  /** The body as JSON; throws on anything else. */
  json(): unknown;
}

export interface HttpCall {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

const TIMEOUT_MS = 60_000; // a server that neither answers nor closes must not hang a script
const MAX_BODY_BYTES = 16 * 1024 * 1024; // 16 MiB: far above any management page

export async function httpCall(url: string, call: HttpCall): Promise<HttpAnswer> {
  const target = new URL(url);
  // TLS is loaded only for an https:// server.
  const send = target.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const headers = { ...call.headers, ...(call.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(call.body)) }) };
  return new Promise((resolve, reject) => {
    const outgoing = send(target, { method: call.method, headers, timeout: TIMEOUT_MS }, (response) => {
      collect(response).then(resolve, reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    outgoing.on('error', reject);
    outgoing.end(call.body);
  });
}

async function collect(response: IncomingMessage): Promise<HttpAnswer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.destroy();
      throw new Error(`answer larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  const status = response.statusCode ?? 0;
  return { status, statusText: response.statusMessage ?? '', ok: status >= 200 && status < 300, body, json: () => JSON.parse(body) as unknown };
}
