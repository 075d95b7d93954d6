import type { Logger } from 'pino';
import type { Collector } from './collector.js';
import type { CollectorModule } from './collector-module.js';
import { defaultSectionConfig, type HeadroomConfig } from './config/load.js';
import { Exposition } from './exposition.js';
import { parseListenAddress } from './listen-address.js';
import type { HostPaths } from './paths.js';
import { CollectorRuntime, errorMessage } from './runtime.js';
import { selfMetrics } from './self-metrics.js';
import { buildServer } from './server.js';

/**
 * The collectors to run: exactly the enabled sections of a config file, or without one the
 * host collectors that work on this machine, with their defaults.
 */
export async function selectCollectors(
  config: HeadroomConfig | null,
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
      section = defaultSectionConfig(m);
    }
    collectors.push(m.create(section as never, { paths: env.paths, log }));
  }
  return collectors;
}

export interface RunningExporter {
  readonly url: string;
  readonly runtime: CollectorRuntime;
  close(): Promise<void>;
}

export async function startExporter(opts: {
  collectors: readonly Collector[];
  paths: HostPaths;
  log: Logger;
  listenAddress: string;
  telemetryPath: string;
}): Promise<RunningExporter> {
  const listen = parseListenAddress(opts.listenAddress);
  if (!listen) throw new Error(`invalid --web.listen-address ${JSON.stringify(opts.listenAddress)} (expected [host]:port)`);
  const runtime = new CollectorRuntime(opts.collectors, { paths: opts.paths, log: opts.log });
  const exposition = new Exposition([...selfMetrics, ...runtime.catalog()]);
  const app = await buildServer({ runtime, exposition, telemetryPath: opts.telemetryPath, log: opts.log });
  // No host: every interface, IPv6 and IPv4 where the kernel has IPv6, as Go's ":port" does.
  const url = await app.listen({ port: listen.port, host: listen.host ?? '::' }).catch((err: NodeJS.ErrnoException) => {
    if (listen.host === null && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')) {
      return app.listen({ port: listen.port, host: '0.0.0.0' });
    }
    throw err;
  });
  runtime.start();
  opts.log.info(
    { address: url, telemetryPath: opts.telemetryPath, collectors: opts.collectors.map((c) => c.name) },
    'headroom exporter listening',
  );
  return {
    url,
    runtime,
    async close() {
      await app.close();
      await runtime.stop();
    },
  };
}
