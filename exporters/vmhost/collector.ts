// The vmhost collector: two background sources. `libvirt` reads libvirt over its RPC protocol
// on the read-only socket (a source of its own, so its health is the runtime's); `vmhost` scans the qemu processes in
// /proc and turns both into density samples, using libvirt's reading of the same refresh.
import { defineCollector, type CollectContext, type Collector, type Source } from '../../src/collector.js';
import { errorMessage } from '../../src/errors.js';
import type { Schedule } from '../../src/schedule.js';
import { vmhostTiming, type VmhostConfig } from './config.js';
import { densitySamples } from './density.js';
import { readHostTotals, scanQemuProcesses } from './host.js';
import { createLibvirtReader, type LibvirtReader, type LibvirtReading } from './libvirt.js';
import { vmhostMetrics } from './metrics.js';
import { createVmCostReader } from './vm-cost.js';

export type { VmhostConfig } from './config.js';

/** The /proc scan and host totals after libvirt's refresh: what the density source adds to libvirt's timeout. */
const SCAN_MS = 5000;

/**
 * libvirt over one persistent RPC connection. Optional: an OBS worker host has no libvirt, and
 * that is not a failure of the collector (VMHostLibvirtDown watches hosts that had it). Emits no
 * samples itself: its reading feeds the density source. Unavailable (no daemon, no hypervisor) and
 * failed (hung, garbled) both make it down; only a failure fails the density source too,
 * which then keeps its last good figures instead of dropping libvirt's domains from them.
 */
class LibvirtSource implements Source {
  readonly id = 'libvirt';
  readonly optional = true;
  /** The refresh in flight, for the density source to wait on. */
  private current: Promise<unknown> | null = null;
  /** The outcome of the latest refresh: a reading, or why it failed; null before the first. */
  private latest: LibvirtReading | Error | null = null;
  private readonly reader: LibvirtReader;

  constructor(
    private readonly config: VmhostConfig,
    readonly schedule: Schedule,
    readonly timeoutMs: number,
  ) {
    this.reader = createLibvirtReader(config.libvirt_uri);
  }

  async collect(ctx: CollectContext): Promise<[]> {
    const read = this.reader.read({ timeoutMs: this.timeoutMs, signal: ctx.signal });
    this.current = read;
    let reading: LibvirtReading;
    try {
      reading = await read;
    } catch (err) {
      this.latest = err instanceof Error ? err : new Error(errorMessage(err));
      throw err;
    } finally {
      if (this.current === read) this.current = null;
    }
    this.latest = reading;
    if (!reading.available) throw new Error(`libvirt unavailable (${reading.reason}): counting qemu processes, host totals from /proc and /sys`);
    return [];
  }

  close(): Promise<void> {
    return this.reader.close();
  }

  /** libvirt as the refresh in flight (if any) finds it, else as the latest refresh did; throws its failure. */
  async reading(): Promise<LibvirtReading> {
    if (this.current) await this.current.catch(() => undefined);
    if (this.latest instanceof Error) throw new Error(`libvirt failed: ${this.latest.message}`);
    return this.latest ?? { available: false, reason: 'not read yet' };
  }
}

/** The qemu processes and the density figures; remembers which problems it already logged. */
class DensitySource implements Source {
  readonly id = 'vmhost';
  readonly timeoutMs: number;
  /** qemu command lines that do not parse: logged once per process, not every refresh. */
  private reportedSkips = new Set<string>();
  /** CPU time, run delay and memory pressure per VM; remembers exited threads' time. */
  private readonly readVmCosts = createVmCostReader();

  constructor(
    private readonly config: VmhostConfig,
    private readonly libvirt: LibvirtSource,
    readonly schedule: Schedule,
  ) {
    this.timeoutMs = libvirt.timeoutMs + SCAN_MS;
  }

  async collect(ctx: CollectContext) {
    const [libvirt, scan] = await Promise.all([this.libvirt.reading(), scanQemuProcesses(ctx.paths, ctx.signal)]);
    if (!libvirt.available) ctx.note?.('libvirt unavailable: counting qemu processes, host totals from /proc and /sys');
    const costs = await this.readVmCosts(ctx.paths, scan.processes);
    const problems = [...scan.skipped, ...costs.problems];
    for (const problem of problems) {
      if (!this.reportedSkips.has(problem)) ctx.log.warn({ problem }, 'qemu process left out of the totals');
    }
    this.reportedSkips = new Set(problems);
    const hostFallback = libvirt.available ? null : await readHostTotals(ctx.paths);
    return [...densitySamples({ libvirt, qemu: scan.processes, hostFallback, perDomain: this.config.per_domain }), ...costs.samples];
  }
}

export function createVmhostCollector(config: VmhostConfig): Collector {
  const { schedule, timeoutMs } = vmhostTiming.resolve(config);
  const libvirt = new LibvirtSource(config, schedule, timeoutMs);
  // libvirt first: its refresh starts first, so the density source finds it in flight.
  return defineCollector({ name: 'vmhost', metrics: vmhostMetrics, sources: [libvirt, new DensitySource(config, libvirt, schedule)] });
}
