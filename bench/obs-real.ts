// The OBS scenario's real back end: a running OBS 2.9 (sim/real-obs: schedulers, dispatcher,
// two workers, a project in every state) polled on /build/_workerstatus. Side by side: the
// srcserver's own latency (a plain GET of the same document) and headroom's poll of it (GET,
// streaming parse, samples), alternated so that both see the same back end load; plus
// headroom's CPU time per poll. Skipped (no rows) where the back end cannot start.
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/log.js';
import { createObsCollector } from '../exporters/obs/collector.js';
import { obsConfigSchema } from '../exporters/obs/schema.js';
import { defaultHostPaths } from '../src/paths.js';
import { realObsUnavailable, startRealObs } from '../sim/real-obs/backend.js';
import { createStatesProject } from '../sim/real-obs/states.js';
import { row, type BenchRow } from './report.js';
import { median } from './stats.js';

export async function benchObsReal(opts: { quick: boolean; log: (line: string) => void }): Promise<BenchRow[]> {
  const unavailable = realObsUnavailable();
  if (unavailable !== null) {
    opts.log(`real OBS back end skipped: ${unavailable}`);
    return [];
  }
  const iterations = opts.quick ? 10 : 40;
  const started = performance.now();
  const obs = await startRealObs({ archs: ['x86_64', 'i586', 'aarch64'], workers: 2 });
  const startMs = performance.now() - started;
  try {
    await createStatesProject(obs, 'bench');
    await obs.waitFor('bench', 'unres', 'x86_64', 'unresolvable');
    const config = obsConfigSchema({ baseDir: process.cwd() }).parse({ instances: [{ name: 'real', url: obs.url, schedule: '60s', timeout: '60s' }] });
    const collector = createObsCollector(config);
    const source = collector.sources[0]!;
    const ctx = { paths: defaultHostPaths, signal: new AbortController().signal, log: silentLogger() };
    await source.collect(ctx); // warm-up, and the one 404 on /worker/_status
    const raw: number[] = [];
    const polls: number[] = [];
    let cpuMicros = 0;
    let bytes = 0;
    for (let i = 0; i < iterations; i++) {
      let t = performance.now();
      bytes = Buffer.byteLength(await obs.workerStatus());
      raw.push(performance.now() - t);
      const cpu = process.cpuUsage();
      t = performance.now();
      await source.collect(ctx);
      polls.push(performance.now() - t);
      const used = process.cpuUsage(cpu);
      cpuMicros += used.user + used.system;
    }
    await collector.close?.();
    return [
      row('obs (real OBS 2.9)', 'back end start to all idle', 'ms', startMs),
      row('obs (real OBS 2.9)', `poll of /build/_workerstatus (${bytes} bytes), median of ${iterations}`, 'ms', median(polls), { name: 'plain GET of the same URL', value: median(raw) }),
      row('obs (real OBS 2.9)', 'headroom CPU time per poll', 'ms', cpuMicros / 1000 / iterations),
    ];
  } finally {
    await obs.stop();
  }
}
