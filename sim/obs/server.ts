// A simulated OBS API for tests, the demo and the benchmark (support code, not the product):
// an HTTP server on 127.0.0.1 that serves worker status and build results with basic auth,
// and can be told to misbehave the ways a real OBS, its proxy or the network do.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

export type ObsFault =
  /** 401 to every request, whatever the credentials. */
  | 'unauthorized'
  /** A server before OBS 2.8: /worker/_status is 404, /build/_workerstatus works. */
  | 'old-server'
  /** 404 on every route (a URL that is not an OBS API). */
  | 'not-found'
  /** 503 with a proxy's HTML error page. */
  | 'server-error'
  /** Headers only after `delayMs`. */
  | 'slow-start'
  /** Headers and half the body, then silence until the client gives up. */
  | 'stall'
  /** Half the body, then the connection is reset. */
  | 'reset'
  /** A clean end of response after half the document. */
  | 'truncated'
  /** A complete reply whose XML is not well-formed. */
  | 'malformed'
  /** 200 with an HTML page (a login page or a proxy's error page). */
  | 'html'
  /** A valid but 20 MB worker status document, streamed without Content-Length. */
  | 'huge'
  /** Random bytes. */
  | 'garbage'
  /** `Content-Encoding: gzip` on a body that is not gzip. */
  | 'bad-gzip'
  /** A 100 KB gzip body that inflates to 100 MB of XML whitespace (a decompression bomb). */
  | 'gzip-bomb';

export interface SimulatorRequest {
  path: string;
  authorized: boolean;
  /** The client sent Accept-Encoding: gzip. */
  acceptsGzip: boolean;
}

export interface ObsSimulatorOptions {
  /** Required credentials; absent = no authentication (like a back-end srcserver). */
  credentials?: { username: string; password: string };
  workerStatus?: string;
  /** Project name → resultlist XML served for /build/<project>/_result. */
  results?: Record<string, string>;
  /** `project/repository/arch` → jobhistlist XML served for /build/<p>/<r>/<a>/_jobhistory. */
  jobHistories?: Record<string, string>;
  /** Serve HTTPS with this PEM key and certificate instead of plain HTTP. */
  tls?: { key: string; cert: string };
  /** Compress documents when the client accepts gzip, as an Apache with mod_deflate in front of OBS does. */
  gzip?: boolean;
}

export interface ObsSimulator {
  readonly url: string;
  readonly requests: SimulatorRequest[];
  setWorkerStatus(xml: string): void;
  setResult(project: string, xml: string): void;
  /** Replaces the job history of `project/repository/arch` (time moves on: append jobs). */
  setJobHistory(prpa: string, xml: string): void;
  setFault(fault: ObsFault | null, options?: { delayMs?: number; hugeBytes?: number }): void;
  close(): Promise<void>;
}

const HTML_ERROR = `<!DOCTYPE html>
<html><head><title>503 Service Unavailable</title></head>
<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>
`;

function obsError(code: string, summary: string): string {
  return `<status code="${code}">\n  <summary>${summary}</summary>\n</status>\n`;
}

let bombCache: Buffer | null = null;
/** `<workerstatus>` and 100 MB of spaces, gzipped to about 100 KB. */
function gzipBomb(): Buffer {
  bombCache ??= gzipSync(Buffer.concat([Buffer.from('<workerstatus clients="1">'), Buffer.alloc(100 * 1024 * 1024, 0x20)]), { level: 9 });
  return bombCache;
}

/** The worker status route the simulator answers, old or new. */
function isWorkerStatusPath(path: string): boolean {
  return path === '/worker/_status' || path === '/build/_workerstatus';
}

export async function startObsSimulator(options: ObsSimulatorOptions = {}): Promise<ObsSimulator> {
  let workerStatus = options.workerStatus ?? '<workerstatus clients="0"/>\n';
  const results = new Map(Object.entries(options.results ?? {}));
  const jobHistories = new Map(Object.entries(options.jobHistories ?? {}));
  let fault: ObsFault | null = null;
  let faultOptions: { delayMs?: number; hugeBytes?: number } = {};
  const requests: SimulatorRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const expectedAuth = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : null;

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const send = (res: http.ServerResponse, status: number, body: string, type = 'application/xml; charset=utf-8') => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const sendDocument = (res: http.ServerResponse, body: string, acceptsGzip: boolean) => {
    const bytes = Buffer.from(body, 'utf8');
    const half = bytes.subarray(0, Math.floor(bytes.length / 2));
    switch (fault) {
      case 'stall':
        res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': bytes.length });
        res.write(half);
        return; // never ends: the client's timeout must
      case 'reset':
        res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': bytes.length });
        res.write(half, () => res.socket?.resetAndDestroy());
        return;
      case 'truncated':
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.end(half);
        return;
      case 'malformed':
        send(res, 200, '<workerstatus clients="1">\n  <idle workerid="w1:1" hostarch="x86_64">\n</building>\n</workerstatus>\n');
        return;
      case 'html':
        send(res, 200, HTML_ERROR, 'text/html; charset=utf-8');
        return;
      case 'garbage': {
        let seed = 42;
        const junk = Buffer.alloc(64 * 1024);
        for (let i = 0; i < junk.length; i++) junk[i] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
        res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': junk.length });
        res.end(junk);
        return;
      }
      case 'huge':
        streamHuge(res, body, faultOptions.hugeBytes ?? 20 * 1024 * 1024);
        return;
      case 'bad-gzip':
        res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Encoding': 'gzip', 'Content-Length': bytes.length });
        res.end(bytes);
        return;
      case 'gzip-bomb': {
        const bomb = gzipBomb();
        res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Encoding': 'gzip', 'Content-Length': bomb.length });
        res.end(bomb);
        return;
      }
      default:
        if (options.gzip && acceptsGzip) {
          const packed = gzipSync(bytes);
          res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Encoding': 'gzip', 'Content-Length': packed.length });
          res.end(packed);
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': bytes.length });
        res.end(bytes);
    }
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const authorized = expectedAuth === null || req.headers.authorization === expectedAuth;
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    requests.push({ path: url.pathname + url.search, authorized, acceptsGzip });
    if (fault === 'unauthorized' || !authorized) {
      res.setHeader('WWW-Authenticate', 'basic realm="API login"');
      send(res, 401, obsError('authentication_required', 'Authentication required'));
      return;
    }
    if (fault === 'not-found') {
      send(res, 404, obsError('not_found', 'Not found'));
      return;
    }
    if (fault === 'server-error') {
      send(res, 503, HTML_ERROR, 'text/html; charset=utf-8');
      return;
    }
    if (fault === 'old-server' && url.pathname === '/worker/_status') {
      send(res, 404, obsError('not_found', 'no such route'));
      return;
    }
    let body: string | undefined;
    const history = /^\/build\/([^/]+)\/([^/]+)\/([^/]+)\/_jobhistory$/.exec(url.pathname);
    if (isWorkerStatusPath(url.pathname)) body = workerStatus;
    else if (url.pathname === '/source') {
      // The project list, as OBS's srcserver answers it: every project with results.
      body = `<directory count="${results.size}">\n${[...results.keys()].map((p) => `  <entry name="${p}"/>\n`).join('')}</directory>\n`;
    } else if (history) {
      body = jobHistories.get(history.slice(1, 4).map((part) => decodeURIComponent(part)).join('/')) ?? '<jobhistlist/>\n';
    } else {
      const m = /^\/build\/([^/]+)\/_result$/.exec(url.pathname);
      if (m) {
        const project = decodeURIComponent(m[1]!);
        body = results.get(project);
        if (body === undefined) {
          send(res, 404, obsError('unknown_project', `Project not found: ${project}`));
          return;
        }
      }
    }
    if (body === undefined) {
      send(res, 404, obsError('not_found', `no route ${url.pathname}`));
      return;
    }
    if (fault === 'slow-start') {
      const doc = body;
      later(faultOptions.delayMs ?? 60_000, () => {
        if (!res.destroyed) send(res, 200, doc);
      });
      return;
    }
    sendDocument(res, body, acceptsGzip);
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handle) : http.createServer(handle);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    setWorkerStatus(xml) {
      workerStatus = xml;
    },
    setResult(project, xml) {
      results.set(project, xml);
    },
    setJobHistory(prpa, xml) {
      jobHistories.set(prpa, xml);
    },
    setFault(next, opts = {}) {
      fault = next;
      faultOptions = opts;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a valid worker status document of about `bytes` bytes, honouring back-pressure. */
/**
 * An endless-looking document of the route's own kind (the root element of `body`), so that
 * every request of a poll runs into max_response_size, whichever the client reads first.
 */
function streamHuge(res: http.ServerResponse, body: string, bytes: number): void {
  res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8' });
  const root = /<([A-Za-z_][\w.-]*)/.exec(body)?.[1] ?? 'workerstatus';
  const rows: string[] = [];
  for (let i = 0; i < 1000; i++) rows.push(root === 'workerstatus' ? `  <idle workerid="huge-host-${i}:1" hostarch="x86_64"/>\n` : `  <!-- padding ${i} -->\n`);
  const block = rows.join('');
  let written = 0;
  res.write(`<${root}>\n`);
  const pump = () => {
    while (written < bytes) {
      written += block.length;
      if (!res.write(block)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end(`</${root}>\n`);
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}
