/**
 * A small client for Trino's REST protocol (https://trino.io/docs/current/develop/client-protocol.html):
 * POST /v1/statement, then GET each nextUri until there is none, collecting `data`. 502, 503 and
 * 504 are retried; an `error` in any page becomes a TrinoQueryError carrying Trino's error name and
 * code; a caller that gives up (abort signal, timeout, any failure on the way) cancels the query
 * with DELETE nextUri. Values come back as Trino's JSON encoding; TrinoWarehouse shapes the rows.
 */
import type { TrinoConfig } from './trino-config.ts';

export interface TrinoClientOptions extends TrinoConfig {
  /** X-Trino-Source: shows in system.runtime.queries and the web UI. */
  source?: string;
}

export interface TrinoColumn {
  name: string;
  /** Trino's type name, e.g. `timestamp(6)`, `varchar`, `decimal(10,2)`, `array(varchar)`. */
  type: string;
}

export interface TrinoResult {
  queryId: string;
  columns: TrinoColumn[];
  rows: unknown[][];
  /** INSERT, CREATE TABLE, MERGE, DELETE, … (absent for a query). */
  updateType?: string;
  /** Rows written by INSERT, CTAS, MERGE, UPDATE, DELETE. */
  updateCount?: number;
}

/** A statement Trino failed: `code` is Trino's error name (e.g. TABLE_NOT_FOUND), as `code` is PostgreSQL's SQLSTATE on pg's errors. */
export class TrinoQueryError extends Error {
  readonly code: string;
  constructor(
    message: string,
    readonly errorName: string,
    readonly errorCode: number,
    readonly errorType: string,
    readonly queryId: string,
    readonly location?: { lineNumber: number; columnNumber: number },
  ) {
    super(`Trino ${errorName}: ${message}`);
    this.name = 'TrinoQueryError';
    this.code = errorName;
  }
}

/** An HTTP answer that is not the protocol's (401 without credentials, 404 of a wrong endpoint, a proxy's page). */
export class TrinoHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly url: string,
  ) {
    super(`Trino HTTP ${status} from ${url}: ${body.slice(0, 300).trim() || '(no body)'}`);
    this.name = 'TrinoHttpError';
  }
}

interface QueryPage {
  id: string;
  nextUri?: string;
  columns?: { name: string; type: string }[];
  data?: unknown[][];
  updateType?: string;
  updateCount?: number;
  stats?: { state?: string };
  error?: {
    message: string;
    errorCode: number;
    errorName: string;
    errorType: string;
    errorLocation?: { lineNumber: number; columnNumber: number };
  };
}

const RETRY_STATUSES = new Set([502, 503, 504]);
/** How long 502/503/504 (a coordinator restarting, a proxy in front) are retried before giving up. */
const RETRY_FOR_MS = 30_000;

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** Session properties for this statement only, on top of the client's. */
  session?: Record<string, string>;
}

export class TrinoClient {
  readonly baseUrl: string;
  /** Session properties sent with every statement (X-Trino-Session). */
  readonly session = new Map<string, string>();
  private readonly headers: Record<string, string>;
  /** Queries under way, to cancel on close(). */
  private readonly running = new Set<AbortController>();

  constructor(readonly options: TrinoClientOptions) {
    this.baseUrl = `${options.ssl ? 'https' : 'http'}://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
    this.headers = {
      'X-Trino-User': options.user,
      'X-Trino-Catalog': options.catalog,
      'X-Trino-Schema': options.schema,
      'X-Trino-Source': options.source ?? 'activation-metrics',
      // Without it Trino rounds every timestamp it returns to milliseconds.
      'X-Trino-Client-Capabilities': 'PARAMETRIC_DATETIME',
      // The builder's SQL never depends on the session zone, but a fixed one keeps casts predictable.
      'X-Trino-Time-Zone': 'UTC',
      ...(options.password !== undefined && { Authorization: `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}` }),
    };
  }

  /** Runs one statement to its end and returns every row. */
  async execute(sql: string, options: ExecuteOptions = {}): Promise<TrinoResult> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.running.add(controller);
    const headers = this.headersFor(options.session);
    let nextUri: string | undefined;
    let finished = false;
    try {
      let page = await this.request(`${this.baseUrl}/v1/statement`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: sql, signal });
      const result: TrinoResult = { queryId: page.id, columns: [], rows: [] };
      for (;;) {
        if (page.error) {
          finished = true; // a failed query is over: nothing to cancel
          const e = page.error;
          throw new TrinoQueryError(e.message, e.errorName, e.errorCode, e.errorType, page.id, e.errorLocation);
        }
        if (page.columns && result.columns.length === 0) result.columns = page.columns.map(({ name, type }) => ({ name, type }));
        if (page.data) for (const row of page.data) result.rows.push(row);
        if (page.updateType !== undefined) result.updateType = page.updateType;
        if (page.updateCount !== undefined) result.updateCount = page.updateCount;
        nextUri = page.nextUri;
        if (!nextUri) {
          finished = true;
          return result;
        }
        // A write or DDL statement is over (committed) once FINISHED and its count has come (DDL has
        // no output at all): the polls still to come carry nothing, and each is a round trip.
        if (result.updateType !== undefined && page.stats?.state === 'FINISHED' && (result.updateCount !== undefined || result.columns.length === 0)) {
          finished = true;
          this.cancel(nextUri);
          return result;
        }
        page = await this.request(nextUri, { method: 'GET', headers, signal });
      }
    } finally {
      this.running.delete(controller);
      // The caller gave up (abort, a network failure, an exception while reading): stop the query on the server.
      if (!finished && nextUri) this.cancel(nextUri);
    }
  }

  /** Cancels every statement under way: their callers' promises reject, and Trino is told to stop them. */
  close(): void {
    for (const controller of this.running) controller.abort(new Error('the Trino client was closed'));
    this.running.clear();
  }

  private headersFor(session: Record<string, string> | undefined): Record<string, string> {
    const properties = new Map(this.session);
    for (const [name, value] of Object.entries(session ?? {})) properties.set(name, value);
    if (properties.size === 0) return this.headers;
    return { ...this.headers, 'X-Trino-Session': [...properties].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join(',') };
  }

  private cancel(nextUri: string): void {
    // Best effort, not awaited: the query also dies by itself when nobody polls it (query.client.timeout).
    fetch(nextUri, { method: 'DELETE', headers: this.headers, signal: AbortSignal.timeout(10_000) })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }

  /** One protocol request; 502/503/504 retried with a growing pause (the same URL: each nextUri may be fetched again). */
  private async request(url: string, init: RequestInit & { signal: AbortSignal }): Promise<QueryPage> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, init);
      } catch (error) {
        // A dropped connection while polling: fetching the same nextUri again is safe. Never for the POST (it may have started the query).
        if (init.method !== 'GET' || init.signal.aborted || attempt >= 3) throw error;
        await sleep(100 * (attempt + 1), init.signal);
        continue;
      }
      if (RETRY_STATUSES.has(response.status) && Date.now() - started < RETRY_FOR_MS) {
        await response.body?.cancel();
        await sleep(Math.min(50 * 2 ** attempt, 1000), init.signal);
        continue;
      }
      const text = await response.text();
      if (!response.ok) throw new TrinoHttpError(response.status, text, url.replace(/\/v1\/statement\/.*/, '/v1/statement/…'));
      try {
        return JSON.parse(text) as QueryPage;
      } catch {
        throw new TrinoHttpError(response.status, text, url);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
