// The pressure collector's I/O: the host's PSI files and major faults, read at scrape time.
import { defineCollector, type CollectContext, type Collector } from '../../src/collector.js';
import { sample, type MetricDef, type Sample } from '../../src/metrics.js';
import { procPath } from '../../src/paths.js';
import { readPressureFile } from '../../src/procfs/pressure.js';
import { readVmstat } from '../../src/procfs/vmstat.js';
import { pressureCatalog, pressureMetrics as M } from './metrics.js';

export interface PressureCollectorConfig {
  readonly timeoutMs: number;
}

const RESOURCES: readonly { file: string; waiting: MetricDef; stalled: MetricDef }[] = [
  { file: 'cpu', waiting: M.cpuWaiting, stalled: M.cpuStalled },
  { file: 'memory', waiting: M.memoryWaiting, stalled: M.memoryStalled },
  { file: 'io', waiting: M.ioWaiting, stalled: M.ioStalled },
];

const MICROSECONDS = 1e6;

async function collectPressure(ctx: CollectContext): Promise<Sample[]> {
  const out: Sample[] = [];
  const missing: string[] = [];
  for (const r of RESOURCES) {
    const psi = await readPressureFile(procPath(ctx.paths, 'pressure', r.file));
    if (!psi) {
      missing.push(r.file);
      continue;
    }
    out.push(sample(r.waiting, {}, psi.some.totalMicroseconds / MICROSECONDS));
    if (psi.full) out.push(sample(r.stalled, {}, psi.full.totalMicroseconds / MICROSECONDS));
  }
  if (missing.length > 0) ctx.note?.(`no PSI for ${missing.join(', ')} (kernel without CONFIG_PSI or booted with psi=0)`);
  const pgmajfault = (await readVmstat(ctx.paths, ['pgmajfault'])).get('pgmajfault');
  if (pgmajfault !== undefined) out.push(sample(M.majorFaults, {}, pgmajfault));
  return out;
}

export function createPressureCollector(config: PressureCollectorConfig): Collector {
  return defineCollector({
    name: 'pressure',
    metrics: pressureCatalog,
    sources: [{ id: 'pressure', timeoutMs: config.timeoutMs, collect: collectPressure }],
  });
}
