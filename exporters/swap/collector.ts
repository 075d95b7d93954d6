// The swap collector's I/O: a scrape-time source for /proc and /sys, and a background source
// that runs smartctl on the disks holding swap (and those with a configured endurance).
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { defineCollector, type CollectContext, type Collector, type Source } from '../../src/collector.js';
import { errorMessage } from '../../src/errors.js';
import { RunError, runProgram } from '../../src/exec.js';
import { sample, type Sample } from '../../src/metrics.js';
import { rootPath, type HostPaths } from '../../src/paths.js';
import { parentDisk, readRotational, underlyingDisks } from '../../src/procfs/block.js';
import { DISKSTATS_SECTOR_BYTES, readDiskstats, type DiskStats } from '../../src/procfs/diskstats.js';
import { readMountinfo, type MountInfo } from '../../src/procfs/mountinfo.js';
import { readPageSize } from '../../src/procfs/page-size.js';
import { readSwaps, type SwapArea } from '../../src/procfs/swaps.js';
import { readVmstat } from '../../src/procfs/vmstat.js';
import type { Schedule } from '../../src/schedule.js';
import { swapCatalog, swapMetrics as M } from './metrics.js';
import { parseSmartctlJson, SmartctlOutputError, type SmartReading } from './smartctl-json.js';
import { blockDeviceOfSwap } from './swap-devices.js';

export interface SwapCollectorConfig {
  readonly timeoutMs: number;
  /** true: required; 'auto': used when installed; false: never run. */
  readonly smartctl: boolean | 'auto';
  readonly smartctlCommand: string;
  readonly smartctlSchedule: Schedule;
  readonly smartctlTimeoutMs: number;
  /** Rated endurance by disk kernel name (nvme0n1). */
  readonly endurance: ReadonlyMap<string, number>;
}

/** A swap area and what holds it; block fields are null when they cannot be found. */
export interface ResolvedSwap {
  readonly area: SwapArea;
  readonly blockDevice: string | null;
  readonly sectorsWritten: number | null;
  readonly disk: string | null;
  readonly rotational: number | null;
}

/** Where a swap area lives: what resolveSwaps looks up in /dev, the mount table and /sys/block. */
interface Placement {
  readonly blockDevice: string | null;
  readonly disk: string | null;
}

/**
 * Placements of the swap areas by file name, each with the identity (st_dev, st_ino, st_rdev) of
 * what the name led to when it was looked up. An active swap area's device or file cannot go
 * away, and a partition's disk does not change while it exists, so a placement holds as long as
 * the name leads to the same device node or file: one stat per area per scrape instead of a
 * realpath, a /sys/block listing and a probe per disk. The rotational flag is read every time:
 * an admin may set it (echo 0 > /sys/block/vda/queue/rotational on a VM's SSD-backed disk).
 */
export type PlacementCache = Map<string, { identity: string; placement: Placement }>;

/**
 * Kernel name of a swap partition: /dev/mapper/vg-swap → dm-1 by following its symlink. /dev is
 * the kernel's devtmpfs: resolving there synchronously takes microseconds, not a thread-pool trip.
 */
function kernelName(paths: HostPaths, device: string): string {
  try {
    return path.basename(realpathSync.native(rootPath(paths, device)));
  } catch {
    return path.basename(device);
  }
}

/** What a swap area's name leads to now, or null when it cannot be asked (then nothing is kept). */
function identityOf(paths: HostPaths, area: SwapArea): string | null {
  try {
    const st = statSync(rootPath(paths, area.filename), { bigint: true, throwIfNoEntry: false });
    return st ? `${st.dev}:${st.ino}:${st.rdev}` : null;
  } catch {
    return null; // not ours to see (EACCES...): looked up every time, as before there was a cache
  }
}

async function place(paths: HostPaths, area: SwapArea, diskstats: readonly DiskStats[], mounts: () => Promise<readonly MountInfo[]>): Promise<Placement> {
  const name = area.type === 'partition' ? kernelName(paths, area.filename) : '';
  const block = blockDeviceOfSwap(area, name, diskstats, area.type === 'partition' ? [] : await mounts());
  return { blockDevice: block?.name ?? null, disk: block ? await parentDisk(paths, block.name) : null };
}

/** The swap areas and what holds them; `cache` keeps placements between calls (see PlacementCache). */
export async function resolveSwaps(paths: HostPaths, cache?: PlacementCache): Promise<ResolvedSwap[]> {
  const areas = await readSwaps(paths);
  if (areas.length === 0) {
    cache?.clear();
    return [];
  }
  const diskstats = await readDiskstats(paths);
  let mountTable: Promise<readonly MountInfo[]> | null = null;
  const mounts = () => (mountTable ??= readMountinfo(paths));
  const out: ResolvedSwap[] = [];
  for (const area of areas) {
    const identity = cache ? identityOf(paths, area) : null;
    const known = cache?.get(area.filename);
    let placement: Placement;
    if (known !== undefined && identity !== null && known.identity === identity) placement = known.placement;
    else {
      placement = await place(paths, area, diskstats, mounts);
      // Kept only when complete: a lookup that failed (sysfs busy, a device still appearing) is tried again.
      if (cache && identity !== null && placement.blockDevice !== null && placement.disk !== null) {
        cache.set(area.filename, { identity, placement });
      } else cache?.delete(area.filename);
    }
    const written = placement.blockDevice === null ? undefined : diskstats.find((d) => d.name === placement.blockDevice);
    out.push({
      area,
      ...placement,
      sectorsWritten: written?.sectorsWritten ?? null,
      rotational: placement.disk === null ? null : await readRotational(paths, placement.disk),
    });
  }
  // An area swapped off is forgotten: swapped on again, it is looked up again.
  if (cache) for (const filename of cache.keys()) if (!areas.some((a) => a.filename === filename)) cache.delete(filename);
  return out;
}

function swapSamples(resolved: readonly ResolvedSwap[]): Sample[] {
  const out: Sample[] = [];
  // Two swap areas may name the same file twice only in theory; keep the first.
  const seen = new Set<string>();
  for (const r of resolved) {
    const device = r.area.filename;
    if (seen.has(device)) continue;
    seen.add(device);
    out.push(
      sample(M.deviceSize, { device }, r.area.sizeBytes),
      sample(M.deviceUsed, { device }, r.area.usedBytes),
      sample(M.devicePriority, { device }, r.area.priority),
    );
    if (r.rotational !== null) out.push(sample(M.deviceRotational, { device }, r.rotational));
    if (r.sectorsWritten !== null) out.push(sample(M.deviceWritten, { device }, r.sectorsWritten * DISKSTATS_SECTOR_BYTES));
    if (r.blockDevice !== null) {
      out.push(sample(M.deviceInfo, { device, type: r.area.type, block_device: r.blockDevice, disk: r.disk ?? '' }, 1));
    }
  }
  return out;
}

async function collectSwap(ctx: CollectContext, config: SwapCollectorConfig, pageSize: Promise<number>, placements: PlacementCache): Promise<Sample[]> {
  const vmstat = await readVmstat(ctx.paths, ['pswpin', 'pswpout']);
  const resolved = await resolveSwaps(ctx.paths, placements);
  const out: Sample[] = [];
  const page = await pageSize;
  const pswpin = vmstat.get('pswpin');
  const pswpout = vmstat.get('pswpout');
  if (pswpin !== undefined) out.push(sample(M.swapIn, {}, pswpin * page));
  if (pswpout !== undefined) out.push(sample(M.swapOut, {}, pswpout * page));
  out.push(...swapSamples(resolved));
  for (const [device, bytes] of config.endurance) out.push(sample(M.ssdEndurance, { device }, bytes));
  return out;
}

/** Kernel block devices that are not disks with SMART data. */
const NOT_SMART = /^(zram|ram|loop|nbd)\d/;

/** Disks to ask smartctl about: non-rotating disks under swap, plus those given an endurance. */
async function smartDisks(paths: HostPaths, config: SwapCollectorConfig): Promise<string[]> {
  const disks = new Set<string>();
  for (const r of await resolveSwaps(paths)) {
    if (!r.disk || r.rotational === 1) continue;
    for (const d of await underlyingDisks(paths, r.disk)) if (!NOT_SMART.test(d)) disks.add(d);
  }
  for (const d of config.endurance.keys()) disks.add(d);
  return [...disks].sort();
}

function smartSource(config: SwapCollectorConfig): Source {
  const readings = new Map<string, { reading: SmartReading; atSeconds: number }>();
  let reportedMissing = false;
  return {
    id: 'smartctl',
    schedule: config.smartctlSchedule,
    timeoutMs: config.smartctlTimeoutMs,
    async collect(ctx) {
      const disks = await smartDisks(ctx.paths, config);
      const failures: string[] = [];
      for (const disk of disks) {
        const device = `/dev/${disk}`;
        let result;
        try {
          result = await runProgram(config.smartctlCommand, ['--json', '--nocheck=standby', '--xall', device], {
            timeoutMs: config.smartctlTimeoutMs,
            signal: ctx.signal,
            allowNonZero: true,
          });
        } catch (err) {
          if (err instanceof RunError && err.reason === 'not-found') {
            if (config.smartctl === true) throw new Error(`${config.smartctlCommand} is not installed (swap.smartctl is true)`);
            if (!reportedMissing) ctx.log.info(`${config.smartctlCommand} not installed: no SSD wear data`);
            reportedMissing = true;
            return [];
          }
          failures.push(`${device}: ${errorMessage(err)}`);
          continue;
        }
        try {
          const reading = parseSmartctlJson(result.stdout, result.exitCode);
          if (reading.standby) ctx.log.debug({ device }, 'in standby, not woken; keeping its last reading');
          else readings.set(disk, { reading, atSeconds: Date.now() / 1000 });
        } catch (err) {
          if (!(err instanceof SmartctlOutputError)) throw err;
          failures.push(`smartctl ${device}: ${err.message}`);
        }
      }
      if (failures.length > 0) throw new Error(failures.join('; '));
      const out: Sample[] = [];
      for (const disk of disks) {
        const r = readings.get(disk);
        if (!r) continue;
        const labels = { device: disk };
        if (r.reading.wearUsedRatio !== null) out.push(sample(M.ssdWearUsed, labels, r.reading.wearUsedRatio));
        if (r.reading.writtenBytes !== null) out.push(sample(M.ssdWritten, labels, r.reading.writtenBytes));
        out.push(sample(M.ssdReadTimestamp, labels, r.atSeconds));
      }
      return out;
    },
  };
}

/** /proc and /sys at scrape time; it keeps the page size (asked once) that vmstat counts in, and where each swap area lives. */
function swapSource(config: SwapCollectorConfig): Source {
  let pageSize: Promise<number> | null = null;
  const placements: PlacementCache = new Map();
  return {
    id: 'swap',
    timeoutMs: config.timeoutMs,
    collect(ctx) {
      pageSize ??= readPageSize(ctx.log);
      return collectSwap(ctx, config, pageSize, placements);
    },
  };
}

export function createSwapCollector(config: SwapCollectorConfig): Collector {
  const sources: Source[] = [swapSource(config)];
  if (config.smartctl !== false) sources.push(smartSource(config));
  // The SSD figures are about the disks under swap; ssd_ names them for what they measure.
  return defineCollector({ name: 'swap', subsystems: ['swap', 'ssd'], metrics: swapCatalog, sources });
}
