// Which paths can be statfs'd on the event loop. statfs of a local file system (tmpfs, ext4...)
// answers from memory in microseconds, where the promise version costs a thread-pool round trip
// each (48 per scrape on a big worker). A network or FUSE file system can hang for as long as its
// server does, so a path on one, or below one, keeps the asynchronous call behind a timeout. Pure.
import type { MountInfo } from './mountinfo.js';

/** File systems whose statfs never waits on anything but this kernel and its local disks. */
const LOCAL_FS_TYPES = new Set([
  'tmpfs',
  'ramfs',
  'devtmpfs',
  'hugetlbfs',
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'f2fs',
  'vfat',
  'zfs',
]);

/** The file system type at each mount point; the last mount at a place hides those before it. */
export function fsTypeByMountPoint(mounts: readonly MountInfo[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of mounts) types.set(m.mountPoint, m.fsType);
  return types;
}

/**
 * Whether looking up and statfs'ing `hostPath` touches local file systems only: the mount at
 * the path and every mount the lookup walks through above it (a hung NFS at /var/cache would
 * block the lookup of /var/cache/obs/worker/root_1 as surely as one at the path itself).
 */
export function onLocalFileSystems(types: ReadonlyMap<string, string>, hostPath: string): boolean {
  let prefix = '';
  for (const part of ['', ...hostPath.split('/').filter((p) => p !== '')]) {
    prefix = part === '' ? '/' : prefix === '/' ? `/${part}` : `${prefix}/${part}`;
    const type = types.get(prefix);
    if (type !== undefined && !LOCAL_FS_TYPES.has(type)) return false;
  }
  return true;
}
