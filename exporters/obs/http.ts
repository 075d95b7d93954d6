// GET requests to one OBS instance: basic auth, keep-alive, a CA of its own, a size cap
// enforced while streaming, and cancellation through the refresh's AbortSignal. The body is
// handed on chunk by chunk so that parsing keeps pace with the download.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

export class ObsHttpError extends Error {
  constructor(
    message: string,
    /** HTTP status, or null when no response came (connection, TLS, size, abort). */
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ObsHttpError';
  }
}

export interface ObsClientOptions {
  /** Base URL of the API; request paths are appended to its path. */
  readonly url: string;
  readonly maxResponseBytes: number;
  /** PEM text of the CA bundle to trust instead of the system's, if any. */
  readonly ca?: string;
  readonly insecureSkipVerify?: boolean;
}

/** Network error codes worth a plain-words explanation. */
const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed by the server',
};

/** Characters handed to the parser per turn of the event loop (about 1 ms of parsing). */
const SLICE_CHARS = 16 * 1024;

/** How much of an error reply is read to find OBS's <summary> explanation. */
const ERROR_BODY_BYTES = 4096;

export class ObsClient {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: ObsClientOptions) {
    this.base = new URL(options.url);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            maxSockets: 2,
            ...(options.ca ? { ca: options.ca } : {}),
            rejectUnauthorized: !options.insecureSkipVerify,
          })
        : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  /** The URL a request path maps to (for messages too: it holds no credentials). */
  urlFor(pathAndQuery: string): URL {
    const url = new URL(this.base.href);
    const [pathname, query] = pathAndQuery.split('?', 2) as [string, string | undefined];
    url.pathname = url.pathname.replace(/\/+$/, '') + pathname;
    url.search = query ? `?${query}` : '';
    return url;
  }

  /**
   * GETs a path and feeds the decoded body to `onText` as it arrives. Resolves when the body
   * is complete; rejects with ObsHttpError on a non-2xx status, a network or TLS failure, a
   * body over the size cap or an abort, and with whatever `onText` throws (the download is
   * then cut short).
   */
  get(pathAndQuery: string, onText: (text: string) => void, signal: AbortSignal, authorization?: string): Promise<void> {
    const url = this.urlFor(pathAndQuery);
    const where = `GET ${url.href}`;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (err === undefined) resolve();
        else reject(err);
      };
      const fail = (err: unknown) => {
        finish(err);
        request.destroy();
      };
      const onAbort = () => {
        const reason = signal.reason instanceof Error ? signal.reason.message : 'aborted';
        fail(new ObsHttpError(`${where}: request cancelled (${reason})`, null));
      };

      // gzip: a worker status document shrinks ~10× on the wire; the size cap applies to what it inflates to.
      const headers: Record<string, string> = { Accept: 'application/xml, text/xml', 'Accept-Encoding': 'gzip', 'User-Agent': 'headroom-obs-exporter' };
      if (authorization) headers.Authorization = authorization;
      const transport = url.protocol === 'https:' ? https : http;
      const request = transport.request(url, { method: 'GET', agent: this.agent, headers });
      request.on('error', (err: NodeJS.ErrnoException) => fail(new ObsHttpError(`${where}: ${describeNetworkError(err)}`, null)));
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status > 299) {
          readErrorBody(response, (body) => fail(new ObsHttpError(`${where}: ${describeStatus(status, response, body)}`, status)));
          return;
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.options.maxResponseBytes) {
          fail(new ObsHttpError(`${where}: response of ${declared} bytes exceeds max_response_size (${this.options.maxResponseBytes} bytes); refused as hostile`, null));
          return;
        }
        const encoding = String(response.headers['content-encoding'] ?? 'identity').toLowerCase();
        let body: Readable = response;
        if (encoding === 'gzip' || encoding === 'x-gzip') {
          const gunzip = createGunzip();
          gunzip.on('error', (err) => fail(new ObsHttpError(`${where}: gzip body cannot be decoded (${err.message})`, null)));
          body = response.pipe(gunzip);
        } else if (encoding !== 'identity') {
          fail(new ObsHttpError(`${where}: unsupported Content-Encoding ${JSON.stringify(encoding)}`, null));
          return;
        }
        const decoder = new StringDecoder('utf8');
        let received = 0;
        let slicing = false;
        let ended = false;
        body.on('data', (chunk: Buffer) => {
          if (settled) return;
          received += chunk.length;
          if (received > this.options.maxResponseBytes) {
            fail(new ObsHttpError(`${where}: response exceeds max_response_size (${this.options.maxResponseBytes} bytes); download stopped, refused as hostile`, null));
            return;
          }
          const text = decoder.write(chunk);
          if (text.length <= SLICE_CHARS) {
            try {
              onText(text);
            } catch (err) {
              fail(err);
            }
            return;
          }
          // A socket read can hand over 64 KiB at once; parsing it in one go would hold the
          // event loop for several ms. Feed it in slices, one per turn of the loop, with the
          // response paused meanwhile so that order is kept and 'end' waits.
          body.pause();
          slicing = true;
          let offset = 0;
          const step = () => {
            if (settled) return;
            try {
              onText(text.slice(offset, offset + SLICE_CHARS));
            } catch (err) {
              fail(err);
              return;
            }
            offset += SLICE_CHARS;
            if (offset < text.length) setImmediate(step);
            else {
              slicing = false;
              if (ended) onEnd();
              else body.resume();
            }
          };
          step();
        });
        // 'end' can come while the last chunk is still being fed slice by slice.
        const onEnd = () => {
          if (settled) return;
          if (slicing) {
            ended = true;
            return;
          }
          try {
            onText(decoder.end());
            finish();
          } catch (err) {
            fail(err);
          }
        };
        body.on('end', onEnd);
        response.on('error', () => fail(new ObsHttpError(`${where}: connection lost after ${received} bytes, before the response was complete`, null)));
        response.on('close', () => {
          if (!response.complete) fail(new ObsHttpError(`${where}: connection closed after ${received} bytes, before the response was complete`, null));
        });
      });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      request.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function describeNetworkError(err: NodeJS.ErrnoException): string {
  const plain = err.code ? NETWORK_ERRORS[err.code] : undefined;
  if (plain) return `${plain} (${err.code})`;
  if (err.code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(err.code)) {
    return `TLS error: ${err.message} (${err.code}); set tls_config.ca_file to the CA that signed the server's certificate`;
  }
  return err.code ? `${err.message} (${err.code})` : err.message;
}

function describeStatus(status: number, response: http.IncomingMessage, body: string): string {
  const reason = response.statusMessage ? ` ${response.statusMessage}` : '';
  let text = `HTTP ${status}${reason}`;
  if (status === 401) text += ' (check username and password_file)';
  else if (status === 403) text += ' (the account may not read this)';
  else if (status >= 300 && status < 400) text += ` (redirect to ${String(response.headers.location ?? '?').slice(0, 200)} not followed: check the url)`;
  // OBS explains errors in <status code="..."><summary>...</summary></status>.
  const summary = /<summary>([^<]{1,300})<\/summary>/.exec(body)?.[1]?.trim();
  if (summary) text += `: ${summary.replace(/\s+/g, ' ')}`;
  return text;
}

function readErrorBody(response: http.IncomingMessage, done: (body: string) => void): void {
  let body = '';
  let called = false;
  const complete = () => {
    if (called) return;
    called = true;
    response.destroy();
    done(body);
  };
  response.setEncoding('utf8');
  response.on('data', (text: string) => {
    body += text;
    if (body.length >= ERROR_BODY_BYTES) complete();
  });
  response.on('end', complete);
  response.on('error', complete);
  response.on('close', complete);
}
