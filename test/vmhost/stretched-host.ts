// Builds the fixtures the vmhost tests run on: a libvirt test-driver node.xml for a stretched
// host (16 CPUs, 64 GiB, 40 domains in mixed states) and fixture /proc and /sys trees with
// qemu processes. The tests write their expected figures out by hand from the tables below.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { testDriverNodeXml, type RunState } from '../../sim/libvirt.js';

const GiB = 2 ** 30;

interface DomainGroup {
  prefix: string;
  count: number;
  state: RunState;
  /** Current vCPUs, and the maximum the domain may hot-plug to. */
  vcpus: number;
  maxVcpus: number;
  /** Current memory (balloon) and maximum, in GiB. */
  memoryGiB: number;
  maxMemoryGiB: number;
}

/** The 40 domains: 34 active (every state but shut off), 6 shut off. */
export const domainGroups: readonly DomainGroup[] = [
  { prefix: 'web', count: 20, state: 'running', vcpus: 2, maxVcpus: 2, memoryGiB: 4, maxMemoryGiB: 4 },
  { prefix: 'db', count: 6, state: 'running', vcpus: 6, maxVcpus: 8, memoryGiB: 8, maxMemoryGiB: 16 },
  { prefix: 'ci', count: 3, state: 'paused', vcpus: 4, maxVcpus: 4, memoryGiB: 2, maxMemoryGiB: 2 },
  { prefix: 'idle', count: 2, state: 'blocked', vcpus: 1, maxVcpus: 1, memoryGiB: 1, maxMemoryGiB: 1 },
  { prefix: 'stopping', count: 1, state: 'shutdown', vcpus: 2, maxVcpus: 2, memoryGiB: 2, maxMemoryGiB: 2 },
  { prefix: 'asleep', count: 1, state: 'pmsuspended', vcpus: 2, maxVcpus: 2, memoryGiB: 1, maxMemoryGiB: 1 },
  { prefix: 'crashed', count: 1, state: 'crashed', vcpus: 1, maxVcpus: 1, memoryGiB: 1, maxMemoryGiB: 1 },
  { prefix: 'archive', count: 6, state: 'shutoff', vcpus: 16, maxVcpus: 16, memoryGiB: 32, maxMemoryGiB: 32 },
];

/** Domain names in node.xml order: web01..web20, db01..db06, ... */
export function domainNames(): string[] {
  return domainGroups.flatMap((g) => Array.from({ length: g.count }, (_, i) => `${g.prefix}${String(i + 1).padStart(2, '0')}`));
}

/** A fixed UUID per domain, so qemu processes in the fixture /proc can carry it. */
export function uuidOf(name: string): string {
  const index = domainNames().indexOf(name);
  if (index < 0) throw new Error(`no domain ${name}`);
  return `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
}

export function stretchedHostXml(): string {
  const names = domainNames();
  let n = 0;
  return testDriverNodeXml({
    cpu: { nodes: 1, sockets: 2, cores: 4, threads: 2 },
    memoryKiB: (64 * GiB) / 1024,
    domains: domainGroups.flatMap((g) =>
      Array.from({ length: g.count }, () => {
        const name = names[n++]!;
        return {
          name,
          uuid: uuidOf(name),
          state: g.state,
          vcpus: g.vcpus,
          maxVcpus: g.maxVcpus,
          memoryKiB: (g.memoryGiB * GiB) / 1024,
          maxMemoryKiB: (g.maxMemoryGiB * GiB) / 1024,
        };
      }),
    ),
  });
}

/** Writes node.xml into dir and returns its path, for a libvirtd to serve (sim/libvirtd.ts). */
export function writeStretchedHost(dir: string): string {
  const file = path.join(dir, 'node.xml');
  writeFileSync(file, stretchedHostXml());
  return file;
}

export interface FakeProcess {
  pid: number;
  argv: string[];
}

/** An OBS worker's build VM, as obs-build's build-vm-kvm starts it (abridged). */
function obsBuildVm(program: string, root: number, memory: string, smp: string): string[] {
  const dir = `/var/cache/obs/worker/root_${root}`;
  return [
    program,
    '-nodefaults', '-no-reboot', '-nographic', '-vga', 'none', '-cpu', 'host',
    '-object', 'rng-random,filename=/dev/random,id=rng0', '-device', 'virtio-rng-pci,rng=rng0',
    '-runas', 'qemu', '-net', 'none',
    '-kernel', `${dir}/.mount/boot/kernel`, '-initrd', `${dir}/.mount/boot/initrd`,
    '-append', 'root=/dev/disk/by-id/virtio-0 rootfstype=ext4 panic=1 quiet no-kvmclock elevator=noop nmi_watchdog=0 rw rd.driver.pre=binfmt_misc console=ttyS0 init=/.build/build',
    '-m', memory, '-smp', smp,
    '-drive', `file=${dir}/root,format=raw,if=none,id=disk,cache=unsafe`,
    '-device', 'virtio-blk-pci,drive=disk,serial=0',
    '-serial', 'stdio', '-chardev', `socket,id=monitor,server=on,wait=off,path=${dir}/root.qemu/monitor`,
  ];
}

/** What libvirt starts for a domain (abridged): named after it, with its UUID. */
function libvirtQemu(name: string, opts: { uuid: boolean; guestPrefix: boolean; memory: string; smp: string }): string[] {
  return [
    '/usr/bin/qemu-system-x86_64',
    '-name', opts.guestPrefix ? `guest=${name},debug-threads=on` : name,
    '-S', '-machine', 'pc-q35-7.2,usb=off,dump-guest-core=off',
    '-accel', 'kvm', '-cpu', 'host,migratable=on',
    '-m', opts.memory, '-smp', opts.smp,
    ...(opts.uuid ? ['-uuid', uuidOf(name)] : []),
    '-no-user-config', '-nodefaults', '-display', 'none',
  ];
}

/**
 * The processes of the fixture /proc. Four OBS build VMs started by qemu directly:
 *   root_1: qemu-kvm -m 8192 -smp 8                    → 8 vCPUs, 8192 MiB
 *   root_2: qemu-kvm -m 8192 -smp 8                    → 8 vCPUs, 8192 MiB
 *   root_3: qemu-system-x86_64 -m 8G -smp cpus=4,...   → 4 vCPUs, 8 GiB
 *   root_4: qemu-system-aarch64 -m 4096M -smp sockets=2,cores=2,threads=1 → 2×2×1 vCPUs, 4096 MiB
 * and three qemu processes libvirt started for its domains web01 (name and UUID), db01 (UUID
 * only) and db02 (bare -name only):
 *   web01: -m size=4194304k -smp 2  → 2 vCPUs, 4 GiB
 *   db01:  -m 8192 -smp 6           → 6 vCPUs, 8 GiB
 *   db02:  -m 8G -smp 6,sockets=1,cores=6,threads=1 → 6 vCPUs, 8 GiB
 * plus things that are not qemu: init, a kernel thread (empty cmdline), qemu-img, a shell.
 */
export const fakeProcesses: readonly FakeProcess[] = [
  { pid: 1, argv: ['/sbin/init', 'splash'] },
  { pid: 2, argv: [] },
  { pid: 812, argv: ['/usr/sbin/libvirtd', '--timeout', '120'] },
  { pid: 1201, argv: libvirtQemu('web01', { uuid: true, guestPrefix: true, memory: 'size=4194304k,slots=16,maxmem=16777216k', smp: '2,sockets=2,cores=1,threads=1' }) },
  { pid: 1202, argv: libvirtQemu('db01', { uuid: true, guestPrefix: false, memory: '8192', smp: '6' }) },
  { pid: 1203, argv: libvirtQemu('db02', { uuid: false, guestPrefix: false, memory: '8G', smp: '6,sockets=1,cores=6,threads=1' }) },
  { pid: 3001, argv: obsBuildVm('/usr/bin/qemu-kvm', 1, '8192', '8') },
  { pid: 3002, argv: obsBuildVm('/usr/bin/qemu-kvm', 2, '8192', '8') },
  { pid: 3003, argv: obsBuildVm('/usr/bin/qemu-system-x86_64', 3, '8G', 'cpus=4,sockets=1,cores=4,threads=1') },
  { pid: 3004, argv: obsBuildVm('qemu-system-aarch64', 4, '4096M', 'sockets=2,cores=2,threads=1') },
  { pid: 3100, argv: ['/usr/bin/qemu-img', 'convert', '-m', '16', '-O', 'qcow2', 'a.img', 'b.qcow2'] },
  { pid: 3101, argv: ['/bin/sh', '-c', 'qemu-system-x86_64 -m 2048'] },
];

/** Writes /proc/<pid>/cmdline (NUL-separated, NUL-terminated, as the kernel does) and /proc/meminfo. */
export function writeProcTree(root: string, processes: readonly FakeProcess[], memTotalKiB: number, cpuinfoProcessors?: number): void {
  mkdirSync(root, { recursive: true });
  for (const p of processes) {
    mkdirSync(path.join(root, String(p.pid)), { recursive: true });
    writeFileSync(path.join(root, String(p.pid), 'cmdline'), p.argv.map((a) => `${a}\0`).join(''));
  }
  mkdirSync(path.join(root, 'self'), { recursive: true }); // not a pid: ignored
  writeFileSync(
    path.join(root, 'meminfo'),
    `MemTotal:       ${memTotalKiB} kB\nMemFree:         1024000 kB\nMemAvailable:    2048000 kB\nSwapTotal:       8388604 kB\nHugePages_Total:       0\nHugepagesize:       2048 kB\n`,
  );
  if (cpuinfoProcessors !== undefined) {
    const entries = Array.from({ length: cpuinfoProcessors }, (_, i) => `processor\t: ${i}\nvendor_id\t: GenuineIntel\nmodel name\t: Fixture CPU\n`);
    writeFileSync(path.join(root, 'cpuinfo'), entries.join('\n'));
  }
}

/** Writes /sys/devices/system/cpu/online. */
export function writeSysTree(root: string, online: string): void {
  const dir = path.join(root, 'devices/system/cpu');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'online'), `${online}\n`);
}
