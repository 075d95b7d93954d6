// A small OBS worker host as a fixture tree (procfs, sysfs, rootfs), written into a temporary
// folder, with the figures the dashboards' expected values are computed from.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const GiB = 1024 ** 3;

/** The host's figures, written out so tests compute expectations from them, not from headroom. */
export const host = {
  ramBytes: 64 * GiB,
  swapBytes: 32 * GiB,
  instances: 16,
  rootSizeBytes: 8 * GiB,
  instanceMemoryBytes: 6 * GiB,
  /** Age of the newest backup file when the tree is written, and the target's objective. */
  backupAgeSeconds: 2 * 3600,
  backupMaxAgeSeconds: 26 * 3600,
} as const;

function write(root: string, file: string, text: string): string {
  const target = path.join(root, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, text);
  return target;
}

export interface HostTree {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

export function writeHostTree(dir: string): HostTree {
  const procfs = path.join(dir, 'proc');
  const sysfs = path.join(dir, 'sys');
  const rootfs = path.join(dir, 'root');
  const kB = (bytes: number) => String(bytes / 1024);
  write(
    procfs,
    'meminfo',
    [
      `MemTotal:       ${kB(host.ramBytes)} kB`,
      'MemFree:        40000000 kB',
      'MemAvailable:   50000000 kB',
      `SwapTotal:      ${kB(host.swapBytes)} kB`,
      'SwapFree:       30000000 kB',
      'HugePages_Total:       0',
      'HugePages_Free:        0',
      'HugePages_Rsvd:        0',
      'Hugepagesize:       2048 kB',
      '',
    ].join('\n'),
  );
  write(procfs, 'vmstat', 'nr_free_pages 1000\npswpin 1000\npswpout 2000\npgmajfault 3000\n');
  for (const resource of ['cpu', 'memory', 'io']) {
    write(procfs, `pressure/${resource}`, 'some avg10=1.00 avg60=1.00 avg300=1.00 total=5000000\nfull avg10=0.50 avg60=0.50 avg300=0.50 total=2500000\n');
  }
  // One OBS build VM (qemu without libvirt) in a systemd scope of its own, with two threads.
  const vmScope = '/machine.slice/machine-qemu\\x2d1\\x2dobsbuild1.scope';
  write(procfs, '4242/cmdline', ['/usr/bin/qemu-kvm', '-name', 'guest=obsbuild1', '-m', '6144', '-smp', '2', ''].join('\0'));
  write(procfs, '4242/cgroup', `0::${vmScope}\n`);
  write(procfs, '4242/task/4242/schedstat', '2000000000 500000000 100\n');
  write(procfs, '4242/task/4250/schedstat', '8000000000 3000000000 400\n');
  write(sysfs, `fs/cgroup${vmScope}/memory.pressure`, 'some avg10=2.00 avg60=2.00 avg300=2.00 total=4000000\nfull avg10=1.00 avg60=1.00 avg300=1.00 total=1000000\n');
  write(procfs, 'swaps', `Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sda2                               partition\t${kB(host.swapBytes)}\t1048576\t-2\n`);
  write(
    procfs,
    'diskstats',
    '   8       0 sda 1000 0 80000 100 2000 0 300000 200 0 300 300 0 0 0 0 0 0\n' +
      '   8       2 sda2 500 0 40000 50 1000 0 160000 100 0 150 150 0 0 0 0 0 0\n',
  );
  write(procfs, 'self/mountinfo', '28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n');
  write(sysfs, 'block/sda/queue/rotational', '0\n');
  write(sysfs, 'block/sda/sda2/partition', '2\n');
  write(sysfs, 'devices/system/cpu/online', '0-7\n');
  write(
    rootfs,
    'etc/sysconfig/obs-server',
    [
      `OBS_WORKER_INSTANCES="${host.instances}"`,
      `OBS_INSTANCE_MEMORY="${host.instanceMemoryBytes / 1024 ** 2}"`,
      'OBS_VM_TYPE="kvm"',
      `OBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE="${host.rootSizeBytes / 1024 ** 2}"`,
      'OBS_VM_USE_TMPFS="yes"',
      '',
    ].join('\n'),
  );
  const dump = write(rootfs, 'srv/dumps/db-1.sql.gz', 'not really gzip');
  const mtime = Date.now() / 1000 - host.backupAgeSeconds;
  utimesSync(dump, mtime, mtime);
  return { procfs, sysfs, rootfs };
}
