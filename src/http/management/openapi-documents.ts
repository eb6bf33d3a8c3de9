import { open } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { ApiConfig, OpenApiSource } from '../../config/config.js';
import { ManagementError } from '../../domain/management/management-error.js';

// Each API's OpenAPI document (config apis[].openapi) for the portal's reference page. The
// server reads it — from a file, or from an upstream URL — so the browser never fetches anything
// from elsewhere (the portal's CSP allows only its own origin). Every read is bounded: 5 s, 2 MiB;
// a document is kept for 5 minutes, and a stale copy is served while its source is failing.

const FETCH_TIMEOUT_MS = 5_000; // 5 s
const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024; // 2 MiB
const FRESH_FOR_MS = 5 * 60_000; // 5 min

type Document = Record<string, unknown>;

interface Cached {
  readonly document: Document;
  readonly loadedAt: number;
}

const unavailable = (why: string) => new ManagementError('upstream_unavailable', `the API reference cannot be loaded right now: ${why}`);

async function readLimited(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > MAX_DOCUMENT_BYTES) throw unavailable(`larger than ${MAX_DOCUMENT_BYTES} bytes`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function readSource(source: OpenApiSource): Promise<string> {
  if (source.kind === 'file') {
    const file = await open(source.path, 'r').catch(() => {
      throw unavailable('its file cannot be read');
    });
    try {
      return await readLimited(file.createReadStream({ autoClose: false }));
    } finally {
      await file.close();
    }
  }
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  try {
    const response = await fetch(source.url, { signal, headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.1' } });
    if (!response.ok || response.body === null) throw unavailable(`its URL answered ${response.status}`);
    return await readLimited(response.body as unknown as AsyncIterable<Uint8Array>);
  } catch (error) {
    if (error instanceof ManagementError) throw error;
    throw unavailable(signal.aborted ? `no answer within ${FETCH_TIMEOUT_MS} ms` : 'its URL cannot be reached');
  }
}

function parseDocument(text: string): Document {
  let parsed: unknown;
  try {
    parsed = parseYaml(text); // JSON is YAML too
  } catch {
    throw unavailable('it is neither JSON nor YAML');
  }
  const document = parsed as Document | null;
  const isOpenApi = document !== null && typeof document === 'object' && !Array.isArray(document) && (typeof document.openapi === 'string' || typeof document.swagger === 'string');
  if (!isOpenApi) throw unavailable('it is not an OpenAPI document');
  return document;
}

/** The document as developers should use it: through the gateway, not at the upstream. */
function pointedAtGateway(document: Document, endpoint: string): Document {
  if (typeof document.openapi === 'string') return { ...document, servers: [{ url: endpoint, description: 'Gatehouse gateway' }] };
  const url = new URL(endpoint);
  return { ...document, schemes: [url.protocol.slice(0, -1)], host: url.host, basePath: url.pathname };
}

export class OpenApiDocuments {
  readonly #cache = new Map<string, Cached>();
  readonly #loading = new Map<string, Promise<Document>>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The document of `api`, its servers set to the API's gateway `endpoint`. */
  async get(api: ApiConfig, endpoint: string): Promise<Document> {
    const source = api.openapi;
    if (!source) throw new ManagementError('not_found', `API ${api.id} has no reference document`);
    const cached = this.#cache.get(api.id);
    const document = cached && this.#now() - cached.loadedAt < FRESH_FOR_MS ? cached.document : await this.#load(api.id, source, cached);
    return pointedAtGateway(document, endpoint);
  }

  /** One load per API at a time; a failure falls back to the last good copy. */
  #load(apiId: string, source: OpenApiSource, stale: Cached | undefined): Promise<Document> {
    let loading = this.#loading.get(apiId);
    if (!loading) {
      loading = readSource(source)
        .then(parseDocument)
        .then((document) => {
          this.#cache.set(apiId, { document, loadedAt: this.#now() });
          return document;
        })
        .catch((error: unknown) => {
          if (stale) return stale.document;
          throw error;
        })
        .finally(() => this.#loading.delete(apiId));
      this.#loading.set(apiId, loading);
    }
    return loading;
  }
}
