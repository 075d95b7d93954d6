// The vmhost collector: two background sources. `libvirt` reads libvirt through virsh (a
// source of its own, so its health is the runtime's); `vmhost` scans the qemu processes in
// /proc and turns both into density samples, using libvirt's reading of the same refresh.
import { defineCollector, type CollectContext, type Collector, type Source } from '../../src/collector.js';
import type { Schedule } from '../../src/schedule.js';
import { vmhostTiming, type VmhostConfig } from './config.js';
import { densitySamples } from './density.js';
import { readHostTotals, scanQemuProcesses } from './host.js';
import { readLibvirt, type LibvirtReading } from './libvirt.js';
import { vmhostMetrics } from './metrics.js';

export type { VmhostConfig } from './config.js';

/** The /proc scan and host totals after libvirt's refresh: what the density source adds to libvirt's timeout. */
const SCAN_MS = 5000;

type AvailableLibvirt = Extract<LibvirtReading, { available: true }>;

/**
 * libvirt through virsh. Optional: an OBS worker host has no libvirt, and that is not a
 * failure of the collector (VMHostLibvirtDown watches hosts that had it). Emits no samples
 * itself: its reading feeds the density source.
 */
class LibvirtSource implements Source {
  readonly id = 'libvirt';
  readonly optional = true;
  /** The refresh in flight, for the density source to wait on. */
  private current: Promise<unknown> | null = null;
  /** The reading of the latest refresh; null when it failed or libvirt is unavailable. */
  private latest: AvailableLibvirt | null = null;

  constructor(
    private readonly config: VmhostConfig,
    readonly schedule: Schedule,
    readonly timeoutMs: number,
  ) {}

  async collect(ctx: CollectContext): Promise<[]> {
    const read = readLibvirt({ program: this.config.virsh, uri: this.config.libvirt_uri, timeoutMs: this.timeoutMs, signal: ctx.signal });
    this.current = read;
    let reading: LibvirtReading;
    try {
      reading = await read;
    } catch (err) {
      this.latest = null;
      throw err;
    } finally {
      if (this.current === read) this.current = null;
    }
    if (!reading.available) {
      this.latest = null;
      throw new Error(`libvirt unavailable (${reading.reason}): counting qemu processes, host totals from /proc and /sys`);
    }
    this.latest = reading;
    return [];
  }

  /** libvirt as the refresh in flight (if any) finds it, else as the latest refresh did. */
  async reading(): Promise<LibvirtReading> {
    if (this.current) await this.current.catch(() => undefined);
    return this.latest ?? { available: false, reason: 'libvirt source failing (see its status)' };
  }
}

/** The qemu processes and the density figures; remembers which problems it already logged. */
class DensitySource implements Source {
  readonly id = 'vmhost';
  readonly timeoutMs: number;
  /** qemu command lines that do not parse: logged once per process, not every refresh. */
  private reportedSkips = new Set<string>();

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
    for (const problem of scan.skipped) {
      if (!this.reportedSkips.has(problem)) ctx.log.warn({ problem }, 'qemu process left out of the totals');
    }
    this.reportedSkips = new Set(scan.skipped);
    const hostFallback = libvirt.available ? null : await readHostTotals(ctx.paths);
    return densitySamples({ libvirt, qemu: scan.processes, hostFallback, perDomain: this.config.per_domain });
  }
}

export function createVmhostCollector(config: VmhostConfig): Collector {
  const { schedule, timeoutMs } = vmhostTiming.resolve(config);
  const libvirt = new LibvirtSource(config, schedule, timeoutMs);
  // libvirt first: its refresh starts first, so the density source finds it in flight.
  return defineCollector({ name: 'vmhost', metrics: vmhostMetrics, sources: [libvirt, new DensitySource(config, libvirt, schedule)] });
}
