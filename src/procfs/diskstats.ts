import { readKernelFile } from './read.js';
import { procPath, type HostPaths } from '../paths.js';

/** The part of a /proc/diskstats line that headroom uses (Documentation/admin-guide/iostats.rst). */
export interface DiskStats {
  readonly major: number;
  readonly minor: number;
  readonly name: string;
  readonly readsCompleted: number;
  readonly sectorsRead: number;
  readonly writesCompleted: number;
  /** Always in 512-byte units, whatever the device's sector size. */
  readonly sectorsWritten: number;
}

/** Bytes per diskstats sector: fixed by the kernel ABI, not the device's logical block size. */
export const DISKSTATS_SECTOR_BYTES = 512;

/**
 * Parses /proc/diskstats. Kernels have 14 (< 4.18), 18 (4.18+, discard) or 20 (5.5+, flush)
 * fields; only the first ten matter here. Lines with fewer fields are skipped.
 */
export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const nums = [f[0], f[1], f[3], f[5], f[7], f[9]].map(Number);
    if (nums.some((n) => !Number.isFinite(n))) continue;
    out.push({
      major: nums[0]!,
      minor: nums[1]!,
      name: f[2]!,
      readsCompleted: nums[2]!,
      sectorsRead: nums[3]!,
      writesCompleted: nums[4]!,
      sectorsWritten: nums[5]!,
    });
  }
  return out;
}

export async function readDiskstats(paths: HostPaths): Promise<DiskStats[]> {
  return parseDiskstats(await readKernelFile(procPath(paths, 'diskstats')));
}
