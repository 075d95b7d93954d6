// Which block device and disk hold each swap area: pure matching of /proc/swaps against
// /proc/diskstats and the mount table.
import type { DiskStats } from '../../src/procfs/diskstats.js';
import { mountHolding, type MountInfo } from '../../src/procfs/mountinfo.js';
import type { SwapArea } from '../../src/procfs/swaps.js';

/**
 * The diskstats entry of the block device holding a swap area. A partition is found by its
 * kernel name (`deviceName`: the basename of /dev/... after following symlinks such as
 * /dev/mapper/*); a swap file by the device number of the filesystem it lives on.
 */
export function blockDeviceOfSwap(
  area: SwapArea,
  deviceName: string,
  diskstats: readonly DiskStats[],
  mounts: readonly MountInfo[],
): DiskStats | undefined {
  if (area.type === 'partition') return diskstats.find((d) => d.name === deviceName);
  const mount = mountHolding(mounts, area.filename);
  if (!mount) return undefined;
  return diskstats.find((d) => d.major === mount.major && d.minor === mount.minor);
}
