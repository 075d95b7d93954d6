// The vmhost collector on real qemu processes (qemu-system-x86_64 under TCG, tiny firmware-only
// guests from sim/qemu.ts) and this machine's /proc. Memory and vCPUs are checked against what
// qemu itself reports over QMP; CPU time against the kernel's /proc/<pid>/stat; run delay by
// making two spinning guests share one host CPU, beside a halted one.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { scanQemuProcesses } from '../../exporters/vmhost/host.js';
import { vmhostModule } from '../../exporters/vmhost/index.js';
import { defaultHostPaths } from '../../src/paths.js';
import { startTinyGuest, type TinyGuest, type TinyGuestOptions } from '../../sim/qemu.js';
import { harness, valueOf } from '../procfs/harness.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-qemu-');
const guests: TinyGuest[] = [];
afterAll(async () => {
  await Promise.all(guests.map((g) => g.stop()));
});

/** Unique per test run: other engineers' tests may run qemu guests on this machine too. */
const vmName = (what: string) => `headroom-test-${what}-${process.pid}`;

async function start(opts: Omit<TinyGuestOptions, 'dir'>): Promise<TinyGuest> {
  const g = await startTinyGuest({ dir, maxSeconds: 90, ...opts });
  guests.push(g);
  return g;
}

describe('qemu command lines of real qemu processes', () => {
  it('give the memory and vCPUs qemu itself reports (query-memory-size-summary, query-cpus-fast)', async () => {
    const started = await Promise.all([
      start({ name: vmName('dimm'), program: 'idle', args: ['-m', '16,slots=2,maxmem=64M', '-object', 'memory-backend-ram,id=d0,size=16M', '-device', 'pc-dimm,memdev=d0'] }),
      start({ name: vmName('backend'), program: 'idle', args: ['-object', 'memory-backend-ram,id=r0,size=24M', '-machine', 'pc,memory-backend=r0'] }),
      start({
        name: vmName('json'),
        program: 'idle',
        args: [
          '-m', 'size=16M,slots=1,maxmem=32M', '-smp', 'sockets=2,cores=1',
          '-object', '{"qom-type":"memory-backend-ram","id":"d1","size":8388608}',
          '-device', '{"driver":"pc-dimm","memdev":"d1","id":"dimm1"}',
        ],
      }),
    ]);
    const scan = await scanQemuProcesses(defaultHostPaths);
    for (const g of started) {
      const summary = (await g.qmp('query-memory-size-summary')) as { 'base-memory': number; 'plugged-memory'?: number };
      const cpus = (await g.qmp('query-cpus-fast')) as unknown[];
      const found = scan.processes.find((p) => p.pid === g.pid);
      expect(found, `pid ${g.pid} among the scanned qemu processes`).toBeDefined();
      expect(found!.memoryBytes).toBe(summary['base-memory'] + (summary['plugged-memory'] ?? 0));
      expect(found!.vcpus).toBe(cpus.length);
    }
  });
});

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());

/** utime + stime of a whole process (exited threads included) from the kernel, in seconds. */
function kernelCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Whether every thread of a process is stopped (SIGSTOP took effect). */
function allStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return /^[tT]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  });
}

async function freeze(gs: readonly TinyGuest[]) {
  for (const g of gs) process.kill(g.pid, 'SIGSTOP');
  await waitFor(() => (gs.every((g) => allStopped(g.pid)) ? true : undefined), 'the guests to stop');
}

describe('per-VM run delay of real qemu processes', () => {
  it('accrues for guests spinning on more vCPUs than their host CPU has, not for a halted one', async () => {
    // Two spinning guests and a halted one, all confined to host CPU 0.
    const [busy1, busy2, idle] = await Promise.all([
      start({ name: vmName('busy1'), program: 'busy', cpus: '0' }),
      start({ name: vmName('busy2'), program: 'busy', cpus: '0' }),
      start({ name: vmName('idle'), program: 'idle', cpus: '0' }),
    ]);
    const all = [busy1, busy2, idle];
    const names = { busy1: vmName('busy1'), busy2: vmName('busy2'), idle: vmName('idle') };
    const h = harness(vmhostModule, { libvirt_uri: 'qemu+unix:///system?socket=/nonexistent/headroom-test-no-libvirt' }, defaultHostPaths);
    const reading = async () => {
      const s = await h.refresh();
      expect(h.error('vmhost')).toBeNull();
      const of = (metric: string, domain: string) => valueOf(s, `headroom_vmhost_domain_${metric}_seconds_total`, { domain })!;
      return {
        wait: Object.fromEntries(Object.entries(names).map(([k, d]) => [k, of('cpu_wait', d)])) as Record<keyof typeof names, number>,
        cpu: Object.fromEntries(Object.entries(names).map(([k, d]) => [k, of('cpu', d)])) as Record<keyof typeof names, number>,
        kernelCpu: { busy1: kernelCpuSeconds(busy1.pid), busy2: kernelCpuSeconds(busy2.pid), idle: kernelCpuSeconds(idle.pid) },
      };
    };

    // Readings taken with the guests stopped, so headroom and the kernel see the same instant.
    await freeze(all);
    const before = await reading();
    for (const g of all) process.kill(g.pid, 'SIGCONT');
    // Let the spinning guests run a second of CPU each (two seconds of wall time at least).
    await waitFor(() => (kernelCpuSeconds(busy1.pid) - before.kernelCpu.busy1 >= 1 ? true : undefined), 'a second of guest CPU', 60_000);
    await freeze(all);
    const after = await reading();

    const delta = (r: 'wait' | 'cpu' | 'kernelCpu', k: keyof typeof names) => after[r][k] - before[r][k];
    for (const k of ['busy1', 'busy2', 'idle'] as const) {
      // CPU time agrees with the kernel's own per-process account (ticks of 1/CLK_TCK s).
      expect(Math.abs(delta('cpu', k) - delta('kernelCpu', k))).toBeLessThan(0.05 + 0.05 * delta('kernelCpu', k));
    }
    for (const k of ['busy1', 'busy2'] as const) {
      // Sharing one CPU with another spinner, each waits about as long as it runs (more when
      // something else also runs on CPU 0).
      expect(delta('wait', k)).toBeGreaterThan(0.5 * delta('cpu', k));
    }
    // The halted guest's vCPU sleeps; only qemu's main loop wakes (some 40 times a second) and
    // waits a moment each time: measured here at about a thirteenth of a spinner's wait.
    expect(delta('wait', 'idle')).toBeLessThan(delta('wait', 'busy1') / 5);
    expect(delta('wait', 'idle')).toBeLessThan(delta('wait', 'busy2') / 5);
  });
});
