// The large OBS worker host of the host-scrape and load scenarios, as a fixture tree both
// exporters read through --path.procfs/--path.sysfs/--path.rootfs: 256 GiB of RAM, 48 build
// instances with their roots on tmpfs (16 GiB limit each), swap on two NVMe partitions.
// The build roots are real tmpfs mounts under the tree when the benchmark runs as root, so
// that statfs() of each mount point does the work it does on a real worker.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HostPaths } from '../src/paths.js';

export const BUILD_ROOTS = 48;
const GiB_KB = 1024 * 1024;
const RAM_KB = 256 * GiB_KB;
const ROOT_LIMIT_KB = 16 * GiB_KB;
const SWAP_KB = 64 * GiB_KB; // per device
const WORKER_DIR = '/var/cache/obs/worker';

/** Unmounts of trees still mounted, for a benchmark interrupted midway (run.ts calls them on SIGINT). */
export const pendingCleanups = new Set<() => void>();

export interface WorkerHost {
  readonly paths: HostPaths;
  /** True when the build roots are real tmpfs mounts (root only). */
  readonly mounted: boolean;
  /** Unmounts the build roots. */
  cleanup(): void;
}

/** This machine's meminfo and vmstat (every field the kernel has), resized to the fixture host. */
function meminfo(): string {
  const override: Record<string, number> = {
    MemTotal: RAM_KB,
    MemFree: 40 * GiB_KB,
    MemAvailable: 120 * GiB_KB,
    SwapTotal: 2 * SWAP_KB,
    SwapFree: 2 * SWAP_KB - 9 * GiB_KB,
    Shmem: 90 * GiB_KB,
  };
  return readFileSync('/proc/meminfo', 'utf8').replace(/^(\w+):(\s+)(\d+)( kB)?$/gm, (line, key: string, space: string, _v, unit?: string) =>
    key in override ? `${key}:${space}${override[key]}${unit ?? ''}` : line,
  );
}

function mountLine(id: number, major: number, minor: number, mountPoint: string, fsType: string, source: string, superOptions: string): string {
  return `${id} 1 ${major}:${minor} / ${mountPoint} rw,relatime shared:${id} - ${fsType} ${source} ${superOptions}`;
}

export function buildWorkerHost(dir: string): WorkerHost {
  const paths: HostPaths = { procfs: path.join(dir, 'proc'), sysfs: path.join(dir, 'sys'), rootfs: path.join(dir, 'root') };
  const proc = (...p: string[]) => path.join(paths.procfs, ...p);
  const root = (hostPath: string) => path.join(paths.rootfs, hostPath);
  for (const d of [proc('self'), proc('1'), root('/etc/sysconfig'), root('/run')]) mkdirSync(d, { recursive: true });

  writeFileSync(proc('meminfo'), meminfo());
  writeFileSync(proc('vmstat'), readFileSync('/proc/vmstat', 'utf8'));
  writeFileSync(proc('1', 'cmdline'), '/sbin/init\0');
  writeFileSync(
    proc('swaps'),
    'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n' +
      `/dev/nvme0n1p3                          partition\t${SWAP_KB}\t${5 * GiB_KB}\t-2\n` +
      `/dev/nvme1n1p3                          partition\t${SWAP_KB}\t${4 * GiB_KB}\t-3\n`,
  );
  // The swap partitions' device nodes, as a real host has them (regular files stand in: only
  // their names and identities are looked at, never their contents).
  mkdirSync(root('/dev'), { recursive: true });
  for (const partition of ['nvme0n1p3', 'nvme1n1p3']) writeFileSync(root(`/dev/${partition}`), '');
  const disks: string[] = [];
  for (const [disk, minorBase] of [['nvme0n1', 0], ['nvme1n1', 4]] as const) {
    for (let part = 0; part <= 3; part++) {
      const name = part === 0 ? disk : `${disk}p${part}`;
      disks.push(` 259 ${minorBase + part} ${name} 123456 789 9876543 45678 654321 1234 ${3_000_000_000 + part} 98765 0 87654 144419 0 0 0 0 4567 8901`);
      const sys = part === 0 ? path.join(paths.sysfs, 'block', disk) : path.join(paths.sysfs, 'block', disk, name);
      mkdirSync(part === 0 ? path.join(sys, 'queue') : sys, { recursive: true });
      writeFileSync(part === 0 ? path.join(sys, 'queue', 'rotational') : path.join(sys, 'partition'), part === 0 ? '0\n' : `${part}\n`);
    }
  }
  writeFileSync(proc('diskstats'), `${disks.join('\n')}\n`);

  const mounts = [
    mountLine(28, 259, 1, '/', 'ext4', '/dev/nvme0n1p1', 'rw,errors=remount-ro'),
    mountLine(22, 0, 21, '/sys', 'sysfs', 'sysfs', 'rw'),
    mountLine(23, 0, 22, '/proc', 'proc', 'proc', 'rw'),
    mountLine(24, 0, 5, '/dev', 'devtmpfs', 'udev', `rw,size=${RAM_KB / 8}k,mode=755`),
    mountLine(26, 0, 24, '/run', 'tmpfs', 'tmpfs', `rw,size=${RAM_KB / 10}k,mode=755`),
  ];
  for (let i = 1; i <= BUILD_ROOTS; i++) {
    mounts.push(mountLine(100 + i, 0, 60 + i, `${WORKER_DIR}/root_${i}`, 'tmpfs', 'none', `rw,size=${ROOT_LIMIT_KB}k,inode64`));
    mkdirSync(root(`${WORKER_DIR}/root_${i}`), { recursive: true });
  }
  const mountinfo = `${mounts.join('\n')}\n`;
  // headroom reads mountinfo; node_exporter 1.5 reads PID 1's mounts (fstab format).
  const fstab = mounts.map((l) => {
    const f = l.split(' ');
    const sep = f.indexOf('-');
    return `${f[sep + 2]} ${f[4]} ${f[sep + 1]} ${f[5]},${f[sep + 3]} 0 0`;
  });
  for (const pid of ['self', '1']) {
    writeFileSync(proc(pid, 'mountinfo'), mountinfo);
    writeFileSync(proc(pid, 'mounts'), `${fstab.join('\n')}\n`);
  }
  writeFileSync(
    root('/etc/sysconfig/obs-server'),
    [
      `OBS_WORKER_INSTANCES="${BUILD_ROOTS}"`,
      `OBS_WORKER_DIRECTORY="${WORKER_DIR}"`,
      'OBS_INSTANCE_MEMORY="4096"',
      "OBS_VM_TYPE='kvm'",
      'OBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE="16384"',
      'OBS_VM_DISK_AUTOSETUP_SWAP_FILESIZE=2048',
      'OBS_VM_USE_TMPFS="yes"',
      '',
    ].join('\n'),
  );

  const mounted: string[] = [];
  const cleanup = () => {
    pendingCleanups.delete(cleanup);
    for (const mp of mounted.splice(0).reverse()) {
      try {
        execFileSync('umount', ['-l', mp]);
      } catch (err) {
        console.error(`could not unmount ${mp}: ${String(err)}`);
      }
    }
  };
  if (process.getuid?.() === 0) {
    pendingCleanups.add(cleanup);
    try {
      for (let i = 1; i <= BUILD_ROOTS; i++) {
        const mp = root(`${WORKER_DIR}/root_${i}`);
        execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${ROOT_LIMIT_KB}k`, 'tmpfs', mp]);
        mounted.push(mp);
        // A little content, so "used" is not zero: (i mod 4) + 1 MiB.
        writeFileSync(path.join(mp, 'rpm.cpio'), Buffer.alloc(((i % 4) + 1) * 1024 * 1024, 1));
      }
    } catch (err) {
      cleanup();
      throw new Error(`cannot mount the fixture build roots: ${String(err)}`);
    }
  }
  return { paths, mounted: mounted.length > 0, cleanup };
}

/** headroom's host collectors as an admin would run them on this host (no SMART on a fixture tree). */
export const hostCollectorsYaml = `collectors:
  worker: {}
  swap:
    smartctl: false
`;
