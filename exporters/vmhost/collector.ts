// The vmhost collector: libvirt (through virsh) and the qemu processes in /proc, refreshed in
// the background, turned into density samples.
import { singleSourceCollector, type Collector, type CollectContext } from '../../src/collector.js';
import type { Schedule } from '../../src/schedule.js';
import { densitySamples } from './density.js';
import { readHostTotals, scanQemuProcesses } from './host.js';
import { readLibvirt } from './libvirt.js';
import { vmhostMetrics } from './metrics.js';
import { createVmCostReader } from './vm-cost.js';

export interface VmhostConfig {
  readonly libvirt_uri: string;
  readonly virsh: string;
  readonly schedule: Schedule;
  /** Per virsh call, in ms. */
  readonly timeout: number;
  readonly per_domain: boolean;
}

/**
 * The whole refresh may run two virsh calls (more above 1000 domains) plus the /proc scan;
 * each call has its own timeout, and this bounds the whole in case something ignores it.
 */
export function refreshTimeoutMs(callTimeoutMs: number): number {
  return 2 * callTimeoutMs + 5000;
}

export function createVmhostCollector(config: VmhostConfig): Collector {
  // Say once (and again when it changes) why libvirt is unavailable, not every 30s.
  let lastUnavailable: string | null = null;
  // Likewise for qemu command lines that do not parse: once per process.
  let reportedSkips = new Set<string>();
  const readVmCosts = createVmCostReader();

  async function collect(ctx: CollectContext) {
    const [libvirt, scan] = await Promise.all([
      readLibvirt({ program: config.virsh, uri: config.libvirt_uri, timeoutMs: config.timeout, signal: ctx.signal }),
      scanQemuProcesses(ctx.paths, ctx.signal),
    ]);
    if (!libvirt.available) {
      ctx.note?.(`libvirt unavailable (${libvirt.reason}): counting qemu processes, host totals from /proc and /sys`);
      if (libvirt.reason !== lastUnavailable) {
        ctx.log.info({ reason: libvirt.reason }, 'libvirt unavailable: reporting qemu processes and host totals from /proc and /sys');
      }
      lastUnavailable = libvirt.reason;
    } else if (lastUnavailable !== null) {
      ctx.log.info({ uri: config.libvirt_uri }, 'libvirt available again');
      lastUnavailable = null;
    }
    const costs = await readVmCosts(ctx.paths, scan.processes);
    const problems = [...scan.skipped, ...costs.problems];
    for (const problem of problems) {
      if (!reportedSkips.has(problem)) ctx.log.warn({ problem }, 'qemu process left out of the totals');
    }
    reportedSkips = new Set(problems);
    const hostFallback = libvirt.available ? null : await readHostTotals(ctx.paths);
    return [...densitySamples({ libvirt, qemu: scan.processes, hostFallback, perDomain: config.per_domain }), ...costs.samples];
  }

  return singleSourceCollector({
    name: 'vmhost',
    metrics: vmhostMetrics,
    timeoutMs: refreshTimeoutMs(config.timeout),
    schedule: config.schedule,
    collect,
  });
}
