// The worker host's memory promise against what exists: RAM (without hugepages) and swap against
// tmpfs and VM memory promised, as the worker catalog's help texts define each figure; kept pure
// so that each figure can be checked by hand.
import type { WorkerSettings } from './obs-settings.js';

/** A selected tmpfs mount as the collector found it. */
export interface TmpfsMount {
  readonly mountPoint: string;
  /** Size limit from the mount options; null = unlimited or unknown. */
  readonly sizeLimitBytes: number | null;
  /** Bytes in use from statfs; null when the mount was gone by the time it was measured. */
  readonly usedBytes: number | null;
}

export interface MemoryPicture {
  readonly ramBytes: number;
  readonly swapBytes: number;
  readonly hugepagesBytes: number;
  readonly tmpfsPromisedBytes: number;
  readonly tmpfsUsedBytes: number;
  readonly tmpfsMounted: number;
  readonly vmMemoryPromisedBytes: number;
  readonly overcommitRatio: number;
  /** Only when VM memory is hugepage-backed. */
  readonly hugepagesOvercommitRatio: number | null;
}

/** Build root of instance N (obsworker numbers them from 1). */
function buildRootIndex(mountPoint: string, workerDirectory: string): number | null {
  const prefix = workerDirectory === '/' ? '/root_' : `${workerDirectory}/root_`;
  if (!mountPoint.startsWith(prefix)) return null;
  const rest = mountPoint.slice(prefix.length);
  return /^\d+$/.test(rest) ? Number(rest) : null;
}

function ratio(numerator: number, denominator: number): number {
  if (denominator > 0) return numerator / denominator;
  return numerator > 0 ? Infinity : 0;
}

export function memoryPicture(input: {
  meminfo: ReadonlyMap<string, number>;
  settings: WorkerSettings | null;
  mounts: readonly TmpfsMount[];
}): MemoryPicture {
  const { meminfo, settings, mounts } = input;
  // Hugepagesize is in kB like the other sizes (the reader made it bytes); the count is plain.
  const hugepagesBytes = (meminfo.get('HugePages_Total') ?? 0) * (meminfo.get('Hugepagesize') ?? 0);
  const ramBytes = meminfo.get('MemTotal')! - hugepagesBytes;
  const swapBytes = meminfo.get('SwapTotal') ?? 0;

  // Build roots of configured instances are promised by instances × root size, mounted or
  // not (OBS mounts them per job); any other selected tmpfs adds its own limit.
  const tmpfsOn = settings?.tmpfs === true;
  let promised = tmpfsOn ? settings.instances * settings.rootSizeBytes : 0;
  for (const m of mounts) {
    const index = settings ? buildRootIndex(m.mountPoint, settings.workerDirectory) : null;
    const coveredByInstances = tmpfsOn && index !== null && index >= 1 && index <= settings.instances;
    if (!coveredByInstances) promised += m.sizeLimitBytes ?? 0;
  }
  const measured = mounts.filter((m) => m.usedBytes !== null);
  const tmpfsUsedBytes = measured.reduce((sum, m) => sum + m.usedBytes!, 0);

  const vmMemoryPromisedBytes = settings?.usesVm ? settings.instances * settings.instanceMemoryBytes : 0;
  const hugepageBacked = settings?.hugetlbfs === true;
  const capacity = ramBytes + swapBytes;
  return {
    ramBytes,
    swapBytes,
    hugepagesBytes,
    tmpfsPromisedBytes: promised,
    tmpfsUsedBytes,
    tmpfsMounted: measured.length,
    vmMemoryPromisedBytes,
    overcommitRatio: ratio(hugepageBacked ? promised : promised + vmMemoryPromisedBytes, capacity),
    hugepagesOvercommitRatio: hugepageBacked ? ratio(vmMemoryPromisedBytes, hugepagesBytes) : null,
  };
}
