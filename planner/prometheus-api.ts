// The Prometheus HTTP API, as the planner uses it: range queries split to respect the
// 11,000-points limit, with errors that say which server and which query failed.
import { readSecretFile } from '../src/safe-file.js';
import type { Series, Window } from './series.js';
import { splitRange } from './step.js';

/** Prometheus could not be reached at all (refused, DNS, timeout, not an HTTP API). */
export class PrometheusUnreachableError extends Error {
  constructor(readonly url: string, why: string) {
    super(`Prometheus at ${url} is unreachable: ${why}`);
    this.name = 'PrometheusUnreachableError';
  }
}

/** Prometheus (or the proxy before it) refused the credentials, or wanted some. */
export class PrometheusAccessError extends PrometheusUnreachableError {
  constructor(url: string, why: string) {
    super(url, why);
    this.message = `Prometheus at ${url} refused access: ${why}`;
    this.name = 'PrometheusAccessError';
  }
}

/** Prometheus answered but refused the query. */
export class PrometheusQueryError extends Error {
  constructor(readonly url: string, readonly query: string, why: string) {
    super(`Prometheus at ${url} rejected the query ${query}: ${why}`);
    this.name = 'PrometheusQueryError';
  }
}

interface ApiResponse {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: Array<{ metric?: Record<string, string>; values?: Array<[number, string]> }> };
}

function describeFetchError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer before the timeout';
  if (e.cause?.code) return `${e.cause.code}${e.cause.message ? ` (${e.cause.message})` : ''}`;
  return e.message ?? String(err);
}

export interface PrometheusClient {
  readonly url: string;
  /** Range query over the whole window, split into as many requests as the step needs. */
  queryRange(query: string, window: Window): Promise<Series[]>;
}

export interface PrometheusAuth {
  username?: string;
  password_file?: string;
  bearer_token_file?: string;
}

/** The Authorization header for `auth`, reading its secret file now (never logged). */
async function authorization(auth: PrometheusAuth | undefined): Promise<Record<string, string>> {
  if (auth?.bearer_token_file) return { authorization: `Bearer ${await readSecretFile(auth.bearer_token_file)}` };
  if (auth?.username && auth.password_file) {
    return { authorization: `Basic ${Buffer.from(`${auth.username}:${await readSecretFile(auth.password_file)}`).toString('base64')}` };
  }
  return {};
}

export function prometheusClient(baseUrl: string, opts: { timeoutMs?: number; auth?: PrometheusAuth } = {}): PrometheusClient {
  const url = baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 60_000;

  async function get(query: string, start: number, end: number, step: number): Promise<ApiResponse> {
    const params = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
    let res: Response;
    try {
      res = await fetch(`${url}/api/v1/query_range`, {
        method: 'POST',
        body: params,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(await authorization(opts.auth)) },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new PrometheusUnreachableError(url, describeFetchError(err));
    }
    if (res.status === 401 || res.status === 403) {
      throw new PrometheusAccessError(url, `HTTP ${res.status}: ${opts.auth ? 'the credentials in planner.prometheus_auth were refused' : 'it wants credentials (planner.prometheus_auth)'}`);
    }
    const text = await res.text();
    let body: ApiResponse;
    try {
      body = JSON.parse(text) as ApiResponse;
    } catch {
      throw new PrometheusUnreachableError(url, `HTTP ${res.status} with a body that is not the Prometheus API's JSON (${JSON.stringify(text.slice(0, 80))})`);
    }
    if (body.status !== 'success') {
      throw new PrometheusQueryError(url, query, `${body.errorType ?? `HTTP ${res.status}`}: ${body.error ?? 'no error message'}`);
    }
    if (body.data?.resultType !== 'matrix') {
      throw new PrometheusQueryError(url, query, `expected a matrix result, got ${body.data?.resultType ?? 'nothing'}`);
    }
    return body;
  }

  return {
    url,
    async queryRange(query, window) {
      const merged = new Map<string, { labels: Record<string, string>; points: Array<[number, number]> }>();
      for (const [start, end] of splitRange(window.start, window.end, window.step)) {
        const body = await get(query, start, end, window.step);
        for (const r of body.data?.result ?? []) {
          const labels = r.metric ?? {};
          const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
          let entry = merged.get(key);
          if (!entry) merged.set(key, (entry = { labels, points: [] }));
          for (const [t, v] of r.values ?? []) {
            const value = Number(v);
            if (Number.isFinite(value)) entry.points.push([t, value]);
          }
        }
      }
      return [...merged.values()];
    },
  };
}
