import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from './log.js';
import type { BasicAuth } from './basic-auth.js';
import type { Exposition } from './exposition.js';
import { errorMessage, type CollectorRuntime } from './runtime.js';
import { selfSamples, version } from './self-metrics.js';
import { renderStatusPage } from './status-page.js';
import type { ClientAuthType, TlsSettings } from './web-config.js';

const gzipAsync = promisify(gzip);
const SYNC_GZIP_LIMIT = 64 * 1024;
/**
 * Level 1, not zlib's default 6: the exposition text is repetitive enough that level 1 makes a
 * reply only ~9 % larger (still smaller than node_exporter's) for a fraction of the CPU.
 */
const GZIP_OPTIONS = { level: 1 };

/** What the routes serve; swapped as a whole when the config is reloaded. */
export interface ServingState {
  readonly runtime: CollectorRuntime;
  readonly exposition: Exposition;
}

export interface ServerOptions {
  current: () => ServingState;
  telemetryPath: string;
  log: Logger;
  auth: BasicAuth;
  /** Extra response headers from the web config. */
  headers: () => Readonly<Record<string, string>>;
  tls: TlsSettings | null;
  /** Set when --web.enable-lifecycle is given: POST /-/reload calls it. */
  reload?: () => Promise<{ ok: true } | { ok: false; error: string }>;
  /** --web.max-requests: concurrent /metrics requests served; past it 503. 0 = no limit. */
  maxRequests: number;
  /** --web.idle-timeout: a connection with no traffic either way this long is closed (a client that never reads its reply, a half-sent request). */
  idleTimeoutMs: number;
}

/** Leave Prometheus this much of its scrape timeout to receive the reply. */
const SCRAPE_TIMEOUT_MARGIN = 0.85;

/** Reads Prometheus' scrape timeout header, so a slow scrape-time collector cannot make the scrape itself time out. */
function scrapeBudgetMs(header: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 * SCRAPE_TIMEOUT_MARGIN : undefined;
}

/** One scrape's output, shared by every request that arrives while it is being made. */
interface ScrapeCycle {
  readonly state: ServingState;
  readonly text: Promise<string>;
  gzipped?: Promise<Buffer>;
}

const metricsRoute: FastifyPluginAsync<ServerOptions> = async (app, { current, telemetryPath, log, maxRequests }) => {
  // Concurrent scrapes (an HA pair of Prometheus, a curious admin) join the cycle in flight
  // instead of each rendering and compressing the same data: CPU and memory stay flat under load.
  let inFlight: ScrapeCycle | null = null;
  const cycle = (budgetMs: number | undefined): ScrapeCycle => {
    const state = current();
    if (inFlight && inFlight.state === state) return inFlight;
    const text = state.runtime.scrape(budgetMs).then((samples) => {
      for (const s of selfSamples()) samples.push(s);
      return state.exposition.render(samples);
    });
    // Logged once per cycle, not per waiting request; the requests get a 500 naming the cause.
    text.catch((err: unknown) => log.error({ err: errorMessage(err) }, 'rendering /metrics failed'));
    const made: ScrapeCycle = { state, text };
    inFlight = made;
    const done = () => {
      if (inFlight === made) inFlight = null;
    };
    text.then(done, done);
    return made;
  };

  // Like node_exporter's --web.max-requests: requests past the limit get 503 at once instead
  // of each holding a reply (and its memory) while the scrapes queue up.
  let active = 0;
  app.get(telemetryPath, async (req, reply) => {
    if (maxRequests > 0 && active >= maxRequests) {
      return reply.code(503).type('text/plain; charset=utf-8').send(`too many concurrent requests (--web.max-requests ${maxRequests})\n`);
    }
    active++;
    // 'close' fires once whatever happens to the reply: sent, failed, or the client went away.
    reply.raw.once('close', () => active--);
    const made = cycle(scrapeBudgetMs(req.headers['x-prometheus-scrape-timeout-seconds']));
    let body: string;
    try {
      body = await made.text;
    } catch (err) {
      return reply.code(500).type('text/plain; charset=utf-8').send(`rendering metrics failed: ${errorMessage(err)}\n`);
    }
    reply.header('content-type', made.state.exposition.contentType);
    reply.header('vary', 'accept-encoding');
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      // Small bodies compress in well under a millisecond: cheaper than a thread-pool hop.
      made.gzipped ??= body.length < SYNC_GZIP_LIMIT ? Promise.resolve(gzipSync(body, GZIP_OPTIONS)) : gzipAsync(body, GZIP_OPTIONS);
      reply.header('content-encoding', 'gzip');
      return reply.send(await made.gzipped);
    }
    return reply.send(body);
  });
};

const statusRoutes: FastifyPluginAsync<ServerOptions> = async (app, { current, telemetryPath, reload }) => {
  // Liveness only: a failing collector is reported in /metrics, not by restarting the exporter.
  app.get('/healthz', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));
  if (reload) {
    app.post('/-/reload', async (_req, reply) => {
      const result = await reload();
      if (result.ok) return reply.type('text/plain; charset=utf-8').send('config reloaded\n');
      return reply.code(500).type('text/plain; charset=utf-8').send(`failed to reload config: ${result.error}\n`);
    });
  }
  if (telemetryPath === '/') return; // the metrics own the root then
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(renderStatusPage({ version, telemetryPath, collectors: current().runtime.status() })),
  );
};

/** Client certificate checks that Node's TLS options alone cannot express (exporter-toolkit's modes). */
function clientCertProblem(mode: ClientAuthType, socket: TLSSocket): string | null {
  if (mode === 'NoClientCert' || mode === 'RequestClientCert' || mode === 'RequireAndVerifyClientCert') return null;
  const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
  const given = cert !== null && Object.keys(cert).length > 0;
  if (mode === 'RequireAnyClientCert') return given ? null : 'a client certificate is required';
  return given && !socket.authorized ? `client certificate not verified: ${String(socket.authorizationError)}` : null;
}

/** Stands in for fastify's schema compilers: a route given a schema fails loudly at start. */
function noSchemas(): never {
  throw new Error('headroom routes take no request or reply schemas');
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const tls = options.tls;
  // No logger for fastify: given one it loads pino (~5 MB resident); errors are logged below.
  const app = Fastify({
    // No route has a request or reply schema, so fastify's default compilers (ajv and
    // fast-json-stringify, ~2.5 MB resident) would be loaded for nothing.
    schemaController: { compilersFactory: { buildValidator: noSchemas, buildSerializer: noSchemas } },
    // Without these a client that never reads its reply, or never finishes its request, holds
    // its connection (and the reply's memory) for ever.
    connectionTimeout: options.idleTimeoutMs,
    requestTimeout: options.idleTimeoutMs,
    ...(tls
      ? {
          https: {
            key: tls.key,
            cert: tls.cert,
            ...(tls.ca ? { ca: tls.ca } : {}),
            minVersion: tls.minVersion,
            ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
            requestCert: tls.clientAuth !== 'NoClientCert',
            rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
          },
        }
      : {}),
  });
  // A log line per scrape is noise; collection failures are logged by the runtime where they
  // happen, so only what fails inside the HTTP layer itself is logged here.
  app.addHook('onError', async (req, _reply, err) => {
    // As fastify's default error handler: an error without a status of its own is a 500.
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) options.log.error({ err: errorMessage(err), method: req.method, url: req.url }, 'request failed');
  });
  // Callback style, not async: an async hook costs every request a promise and a microtask turn,
  // and without basic auth there is nothing to wait for.
  app.addHook('onRequest', (req, reply, done) => {
    for (const [name, value] of Object.entries(options.headers())) reply.header(name, value);
    if (tls) {
      const problem = clientCertProblem(tls.clientAuth, req.raw.socket as TLSSocket);
      if (problem) {
        reply.code(403).type('text/plain; charset=utf-8').send(`${problem}\n`);
        return;
      }
    }
    if (!options.auth.enabled) return done();
    options.auth.check(req.headers.authorization).then(
      (allowed) => {
        if (allowed) return done();
        reply.code(401).header('www-authenticate', 'Basic realm="headroom"').type('text/plain; charset=utf-8').send('Unauthorized\n');
      },
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  });
  await app.register(metricsRoute, options);
  await app.register(statusRoutes, options);
  return app;
}
