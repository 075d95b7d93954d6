// A scraper that behaves like Prometheus: one keep-alive connection, Prometheus' Accept header,
// gzip. It times each request from sending to the last byte of the (compressed) body and keeps
// what is needed to count bytes and series outside the timed part.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';

/** What Prometheus 2.x sends (scrape.go acceptHeader). */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export interface ScrapeResult {
  status: number;
  ms: number;
  /** Bytes on the wire (gzip when the server compressed). */
  wireBytes: number;
  body: Buffer;
  gzipped: boolean;
}

export class Scraper {
  private readonly agent: http.Agent;

  constructor(
    readonly url: string,
    private readonly opts: { gzip?: boolean; connections?: number } = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections ?? 1 });
  }

  scrape(timeoutMs = 10_000): Promise<ScrapeResult> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const req = http.get(
        this.url,
        {
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            accept: PROMETHEUS_ACCEPT,
            ...(this.opts.gzip === false ? {} : { 'accept-encoding': 'gzip' }),
            'x-prometheus-scrape-timeout-seconds': String(timeoutMs / 1000),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const ms = performance.now() - start;
            const body = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, ms, wireBytes: body.length, body, gzipped: res.headers['content-encoding'] === 'gzip' });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`scrape of ${this.url} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The exposition text of a scrape, uncompressed. */
export function plainText(result: ScrapeResult): string {
  return (result.gzipped ? gunzipSync(result.body) : result.body).toString('utf8');
}

/** Series (sample lines) in an exposition text. */
export function countSeries(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) n++;
  return n;
}

/** The value of the first sample line with this name and label text, e.g. `x{collector="vmhost"}`. */
export function sampleValue(text: string, series: string): number | undefined {
  const at = text.indexOf(`\n${series} `);
  if (at < 0) return undefined;
  const end = text.indexOf('\n', at + 1);
  return Number(text.slice(at + series.length + 2, end < 0 ? undefined : end));
}
