import { readdir, access } from 'node:fs/promises';
import { readKernelFile } from './read.js';
import { sysPath, type HostPaths } from '../paths.js';

/**
 * The whole disk a block device belongs to: itself when it is a disk (/sys/block/<name>),
 * else the disk that has it as a partition subdirectory (/sys/block/<disk>/<name>).
 * Null when sysfs does not know it.
 */
export async function parentDisk(paths: HostPaths, name: string): Promise<string | null> {
  const blockDir = sysPath(paths, 'block');
  let disks: string[];
  try {
    disks = await readdir(blockDir);
  } catch {
    return null;
  }
  if (disks.includes(name)) return name;
  for (const disk of disks) {
    try {
      await access(sysPath(paths, 'block', disk, name, 'partition'));
      return disk;
    } catch {
      /* not this disk */
    }
  }
  return null;
}

/** /sys/block/<disk>/queue/rotational: 1 = spinning, 0 = SSD; null when absent or garbled. */
export async function readRotational(paths: HostPaths, disk: string): Promise<number | null> {
  try {
    const text = (await readKernelFile(sysPath(paths, 'block', disk, 'queue', 'rotational'))).trim();
    return text === '0' || text === '1' ? Number(text) : null;
  } catch {
    return null;
  }
}

/** Number of CPUs the way OBS's obsworker counts them: /sys/devices/system/cpu/cpu[0-9]*. */
export async function countCpus(paths: HostPaths): Promise<number> {
  const entries = await readdir(sysPath(paths, 'devices', 'system', 'cpu'));
  return entries.filter((e) => /^cpu[0-9]/.test(e)).length;
}

/**
 * The disks under a stacked device (device mapper, md): /sys/block/<disk>/slaves/*, each
 * mapped to its whole disk, recursively. A plain disk is its own answer.
 */
export async function underlyingDisks(paths: HostPaths, disk: string, depth = 0): Promise<string[]> {
  let slaves: string[] = [];
  try {
    slaves = await readdir(sysPath(paths, 'block', disk, 'slaves'));
  } catch {
    /* no slaves directory: a plain disk */
  }
  if (slaves.length === 0 || depth > 4) return [disk];
  const out = new Set<string>();
  for (const slave of slaves) {
    const parent = await parentDisk(paths, slave);
    if (parent) for (const d of await underlyingDisks(paths, parent, depth + 1)) out.add(d);
  }
  return [...out];
}
