import type { Logger } from './log.js';
import { BasicAuth } from './basic-auth.js';
import type { Collector } from './collector.js';
import type { CollectorModule } from './collector-module.js';
import type { ValidatedConfig } from './config/validate-in-child.js';
import { Exposition } from './exposition.js';
import { parseListenAddress } from './listen-address.js';
import type { HostPaths } from './paths.js';
import { CollectorRuntime, errorMessage } from './runtime.js';
import { applyOptimizingCompiler, wantsOptimizingCompiler } from './node-flags.js';
import { selfMetrics } from './self-metrics.js';
import { buildServer, type ServingState } from './server.js';
import { noWebConfig, type WebConfig } from './web-config.js';

/**
 * The collectors to run: exactly the enabled sections of a config file, or without one the
 * host collectors that work on this machine, with their defaults.
 */
export async function selectCollectors(
  { config, defaults }: Pick<ValidatedConfig, 'config' | 'defaults'>,
  modules: readonly CollectorModule[],
  env: { paths: HostPaths; log: Logger },
): Promise<Collector[]> {
  const collectors: Collector[] = [];
  for (const m of modules) {
    const log = env.log.child({ collector: m.name });
    let section: unknown;
    if (config) {
      if (!config.collectors.has(m.name)) continue;
      section = config.collectors.get(m.name);
    } else {
      if (!m.autodetect) continue;
      let works = false;
      try {
        works = await m.autodetect({ paths: env.paths, log });
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'autodetection failed; collector not enabled');
      }
      if (!works) {
        log.info('not enabled: does not apply to this host');
        continue;
      }
      section = defaults.get(m.name);
      if (section === undefined) throw new Error(`no default config for collector ${m.name}`);
    }
    const collector = await m.create(section as never, { paths: env.paths, log });
    const seriesLimit = (section as { series_limit?: number }).series_limit;
    if (seriesLimit !== undefined) collector.seriesLimit = seriesLimit;
    collectors.push(collector);
  }
  return collectors;
}

/** V8's optimising compiler on while a selected collector needs it (src/node-flags.ts says why). */
export function setOptimizingCompilerFor(collectors: readonly Collector[], modules: readonly CollectorModule[], log: Logger): void {
  const needing = new Set(modules.filter((m) => m.needsOptimizingCompiler).map((m) => m.name));
  const state = applyOptimizingCompiler(wantsOptimizingCompiler(collectors.map((c) => c.name), needing));
  log.debug({ optimizingCompiler: state }, 'V8 optimising compiler');
}

export interface ExporterOptions {
  collectors: readonly Collector[];
  paths: HostPaths;
  log: Logger;
  listenAddress: string;
  telemetryPath: string;
  web?: WebConfig;
  /** With --web.enable-lifecycle: what POST /-/reload does. */
  reload?: () => Promise<{ ok: true } | { ok: false; error: string }>;
  /** Concurrent /metrics requests (--web.max-requests); default DEFAULT_MAX_REQUESTS, 0 = no limit. */
  maxRequests?: number;
  /** Idle connection timeout (--web.idle-timeout); default DEFAULT_IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
}

/** node_exporter's --web.max-requests default. */
export const DEFAULT_MAX_REQUESTS = 40;
/** Longer than any sensible scrape timeout, so only dead or stalled clients are cut. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/** A listening exporter whose collectors (and web users) can be replaced while it serves. */
export interface RunningExporter {
  readonly url: string;
  readonly runtime: CollectorRuntime;
  /** Swaps in new collectors, keeping each source's last data; stops the old ones. */
  replaceCollectors(collectors: readonly Collector[]): Promise<void>;
  /** Applies a reloaded web config's users and headers (TLS settings need a restart). */
  replaceWebConfig(web: WebConfig): void;
  close(): Promise<void>;
}

function servingState(collectors: readonly Collector[], paths: HostPaths, log: Logger): ServingState {
  const runtime = new CollectorRuntime(collectors, { paths, log });
  return { runtime, exposition: new Exposition([...selfMetrics, ...runtime.catalog()]) };
}

export async function startExporter(opts: ExporterOptions): Promise<RunningExporter> {
  const listen = parseListenAddress(opts.listenAddress);
  if (!listen) throw new Error(`invalid --web.listen-address ${JSON.stringify(opts.listenAddress)} (expected [host]:port)`);
  let web = opts.web ?? noWebConfig;
  let current = servingState(opts.collectors, opts.paths, opts.log);
  const auth = new BasicAuth(web.users);
  const app = await buildServer({
    current: () => current,
    telemetryPath: opts.telemetryPath,
    log: opts.log,
    auth,
    headers: () => web.headers,
    tls: web.tls,
    ...(opts.reload ? { reload: opts.reload } : {}),
    maxRequests: opts.maxRequests ?? DEFAULT_MAX_REQUESTS,
    idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  });
  // No host: every interface, IPv6 and IPv4 where the kernel has IPv6, as Go's ":port" does.
  const url = await app.listen({ port: listen.port, host: listen.host ?? '::' }).catch((err: NodeJS.ErrnoException) => {
    if (listen.host === null && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')) {
      return app.listen({ port: listen.port, host: '0.0.0.0' });
    }
    throw err;
  });
  current.runtime.start();
  opts.log.info(
    { address: url, telemetryPath: opts.telemetryPath, tls: web.tls !== null, basicAuth: auth.enabled, collectors: opts.collectors.map((c) => c.name) },
    'headroom exporter listening',
  );
  return {
    url,
    get runtime() {
      return current.runtime;
    },
    async replaceCollectors(collectors) {
      const next = servingState(collectors, opts.paths, opts.log);
      next.runtime.adopt(current.runtime);
      const previous = current;
      current = next;
      next.runtime.start();
      await previous.runtime.stop();
    },
    replaceWebConfig(newWeb) {
      web = newWeb;
      auth.setUsers(newWeb.users);
    },
    async close() {
      await app.close();
      await current.runtime.stop();
    },
  };
}
