// Per-VM cost figures on a fixture host: qemu processes with per-thread schedstat files and,
// for the libvirt one, a cgroup v2 machine scope with memory.pressure.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmhostModule } from '../../exporters/vmhost/index.js';
import { ThreadTimeTotals } from '../../exporters/vmhost/thread-times.js';
import type { HostPaths } from '../../src/paths.js';
import { harness, valueOf } from '../procfs/harness.js';
import { tempDir } from '../support/tmp.js';

const SCOPE = '/machine.slice/machine-qemu\\x2d1\\x2dweb01.scope';

interface Proc {
  pid: number;
  argv: string[];
  /** tid → "cpu_ns wait_ns slices" */
  threads: Record<number, string>;
  cgroup: string;
}

function writeHost(dir: string, procs: readonly Proc[]): HostPaths {
  const procfs = path.join(dir, 'proc');
  const sysfs = path.join(dir, 'sys');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(sysfs, 'devices/system/cpu'), { recursive: true });
  writeFileSync(path.join(sysfs, 'devices/system/cpu/online'), '0-3\n');
  mkdirSync(procfs, { recursive: true });
  writeFileSync(path.join(procfs, 'meminfo'), 'MemTotal:       16777216 kB\n');
  for (const p of procs) {
    const base = path.join(procfs, String(p.pid));
    mkdirSync(base, { recursive: true });
    writeFileSync(path.join(base, 'cmdline'), p.argv.join('\0') + '\0');
    writeFileSync(path.join(base, 'cgroup'), p.cgroup);
    for (const [tid, line] of Object.entries(p.threads)) {
      mkdirSync(path.join(base, 'task', tid), { recursive: true });
      writeFileSync(path.join(base, 'task', tid, 'schedstat'), `${line}\n`);
    }
  }
  const scopeDir = path.join(sysfs, 'fs/cgroup', SCOPE);
  mkdirSync(scopeDir, { recursive: true });
  writeFileSync(
    path.join(scopeDir, 'memory.pressure'),
    'some avg10=3.00 avg60=2.00 avg300=1.00 total=7500000\nfull avg10=1.00 avg60=0.50 avg300=0.25 total=2500000\n',
  );
  return { procfs, sysfs, rootfs: dir };
}

const web01 = (threads: Record<number, string>): Proc => ({
  pid: 1201,
  argv: ['/usr/bin/qemu-system-x86_64', '-name', 'guest=web01,debug-threads=on', '-m', '2048', '-smp', '2'],
  threads,
  cgroup: `0::${SCOPE}/libvirt/emulator\n`,
});
const obsVm = (threads: Record<number, string>): Proc => ({
  pid: 3001,
  argv: ['/usr/bin/qemu-kvm', '-m', '4096', '-smp', '4'], // no -name: labelled by pid
  threads,
  cgroup: '0::/system.slice/obsworker.service\n',
});

describe('per-VM CPU wait, CPU time and memory pressure', () => {
  it('sums each VM\'s threads, reads its scope\'s memory pressure, and keeps exited threads\' time', async () => {
    const dir = tempDir();
    const paths = writeHost(dir, [
      web01({ 1201: '1000000000 500000000 10', 1210: '3000000000 1500000000 10', 1211: '2000000000 250000000 10' }),
      obsVm({ 3001: '100000000 0 1', 3005: '900000000 4000000000 5' }),
    ]);
    const h = harness(vmhostModule, { libvirt_uri: 'qemu+unix:///system?socket=/nonexistent/headroom-test-no-libvirt' }, paths);
    let s = await h.refresh();
    expect(h.error('vmhost')).toBeNull();
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_seconds_total', { domain: 'web01' })).toBe(1 + 3 + 2);
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_wait_seconds_total', { domain: 'web01' })).toBe(0.5 + 1.5 + 0.25);
    expect(valueOf(s, 'headroom_vmhost_domain_memory_waiting_seconds_total', { domain: 'web01' })).toBe(7.5);
    expect(valueOf(s, 'headroom_vmhost_domain_memory_stalled_seconds_total', { domain: 'web01' })).toBe(2.5);
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_seconds_total', { domain: 'pid-3001' })).toBe(1);
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_wait_seconds_total', { domain: 'pid-3001' })).toBe(4);
    // A qemu in a shared service cgroup has no pressure of its own: absent, not zero.
    expect(valueOf(s, 'headroom_vmhost_domain_memory_stalled_seconds_total', { domain: 'pid-3001' })).toBeUndefined();

    // Thread 1211 exits, 1210 runs on: web01 keeps 1211's last figures.
    writeHost(dir, [
      web01({ 1201: '1000000000 500000000 10', 1210: '4000000000 2000000000 10' }),
      obsVm({ 3001: '100000000 0 1', 3005: '900000000 4000000000 5' }),
    ]);
    s = await h.refresh();
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_seconds_total', { domain: 'web01' })).toBe(1 + 4 + 2);
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_wait_seconds_total', { domain: 'web01' })).toBe(0.5 + 2 + 0.25);

    // The OBS VM ends: its series go.
    writeHost(dir, [web01({ 1201: '1000000000 500000000 10', 1210: '4000000000 2000000000 10' })]);
    s = await h.refresh();
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_seconds_total', { domain: 'pid-3001' })).toBeUndefined();
  });

  it('a garbled schedstat leaves that VM out, logged, and the rest of the refresh stands', async () => {
    const dir = tempDir();
    const paths = writeHost(dir, [web01({ 1201: 'garbage' }), obsVm({ 3001: '100000000 0 1' })]);
    const h = harness(vmhostModule, { libvirt_uri: 'qemu+unix:///system?socket=/nonexistent/headroom-test-no-libvirt' }, paths);
    const s = await h.refresh();
    expect(h.ok()).toBe(true);
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_seconds_total', { domain: 'web01' })).toBeUndefined();
    expect(valueOf(s, 'headroom_vmhost_domain_cpu_seconds_total', { domain: 'pid-3001' })).toBe(0.1);
    expect(valueOf(s, 'headroom_vmhost_vcpus_allocated')).toBe(2 + 4); // density still counts web01
  });
});

describe('ThreadTimeTotals', () => {
  it('never goes down while the process lives, and starts afresh for a new one', () => {
    const t = new ThreadTimeTotals();
    const m = (entries: [number, number, number][]) => new Map(entries.map(([tid, cpuNs, waitNs]) => [tid, { cpuNs, waitNs }]));
    expect(t.update('a', m([[1, 10, 5], [2, 20, 7]]))).toEqual({ cpuNs: 30, waitNs: 12 });
    expect(t.update('a', m([[1, 11, 5]]))).toEqual({ cpuNs: 31, waitNs: 12 }); // 2 exited with 20/7
    expect(t.update('a', m([[1, 12, 6], [2, 3, 1]]))).toEqual({ cpuNs: 12 + 20 + 3, waitNs: 6 + 7 + 1 }); // tid 2 reused
    t.retain(new Set());
    expect(t.update('a', m([[1, 1, 1]]))).toEqual({ cpuNs: 1, waitNs: 1 });
  });
});
