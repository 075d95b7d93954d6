import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { counter, gauge, sample, type MetricDef, type Sample } from './metrics.js';

// The exporter's own identity and process figures. prom-client's collectDefaultMetrics() is
// not used: its nodejs_*_total gauges fail `promtool check metrics`.

export const buildInfo = gauge('headroom_build_info', 'A metric with a constant 1 labelled by the headroom version.', ['version']);
const processCpu = counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.');
const processRss = gauge('process_resident_memory_bytes', 'Resident memory size in bytes.');
const processStart = gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.');
const processFds = gauge('process_open_fds', 'Number of open file descriptors.');
const processHeap = gauge('headroom_process_heap_used_bytes', 'V8 heap in use, in bytes.');

export const selfMetrics: readonly MetricDef[] = [buildInfo, processCpu, processRss, processStart, processFds, processHeap];

/** The package version; the module runs from src/ under vitest and from dist/src/ when built. */
export const version: string = (() => {
  const require = createRequire(import.meta.url);
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'headroom' && pkg.version) return pkg.version;
    } catch {
      /* try the next location */
    }
  }
  return 'unknown';
})();

const startSeconds = Math.round(Date.now() / 1000 - process.uptime());

function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

export function selfSamples(): Sample[] {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const out = [
    sample(buildInfo, { version }, 1),
    sample(processCpu, {}, (cpu.user + cpu.system) / 1e6),
    sample(processRss, {}, mem.rss),
    sample(processStart, {}, startSeconds),
    sample(processHeap, {}, mem.heapUsed),
  ];
  const fds = openFds();
  if (fds !== null) out.push(sample(processFds, {}, fds));
  return out;
}
