import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Exposition } from './exposition.js';
import type { CollectorRuntime } from './runtime.js';
import { selfSamples, version } from './self-metrics.js';
import { renderStatusPage } from './status-page.js';

const gzipAsync = promisify(gzip);

export interface ServerOptions {
  runtime: CollectorRuntime;
  exposition: Exposition;
  telemetryPath: string;
  log: Logger;
}

/** Leave Prometheus this much of its scrape timeout to receive the reply. */
const SCRAPE_TIMEOUT_MARGIN = 0.85;

/** Reads Prometheus' scrape timeout header, so a slow scrape-time collector cannot make the scrape itself time out. */
function scrapeBudgetMs(header: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 * SCRAPE_TIMEOUT_MARGIN : undefined;
}

const metricsRoute: FastifyPluginAsync<ServerOptions> = async (app, { runtime, exposition, telemetryPath }) => {
  app.get(telemetryPath, async (req, reply) => {
    const samples = await runtime.scrape(scrapeBudgetMs(req.headers['x-prometheus-scrape-timeout-seconds']));
    samples.push(...selfSamples());
    const body = await exposition.render(samples);
    reply.header('content-type', exposition.contentType);
    reply.header('vary', 'accept-encoding');
    if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      reply.header('content-encoding', 'gzip');
      return reply.send(await gzipAsync(body));
    }
    return reply.send(body);
  });
};

const statusRoutes: FastifyPluginAsync<ServerOptions> = async (app, { runtime, telemetryPath }) => {
  // Liveness only: a failing collector is reported in /metrics, not by restarting the exporter.
  app.get('/healthz', async (_req, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'));
  if (telemetryPath === '/') return; // the metrics own the root then
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(renderStatusPage({ version, telemetryPath, collectors: runtime.status() })),
  );
};

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    // A log line per scrape is noise; failures are logged by the runtime where they happen.
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(metricsRoute, options);
  await app.register(statusRoutes, options);
  return app;
}
