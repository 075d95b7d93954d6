// What overcommit costs each VM, per refresh: reads every qemu process' threads and scope,
// keeps the counters monotonic across exiting threads, and turns them into per-VM samples.
import type { HostPaths } from '../../src/paths.js';
import { sample, type Sample } from '../../src/metrics.js';
import type { FoundQemuProcess } from './host.js';
import { domainCpu, domainCpuWait, domainMemoryStalled, domainMemoryWaiting } from './metrics.js';
import { readScopeMemoryPressure, readThreadTimes } from './schedstat.js';
import { ThreadTimeTotals } from './thread-times.js';

const NS = 1e9;
const US = 1e6;

/** The `domain` label of a qemu process: its -name guest=, which libvirt sets to the domain name. */
export function vmLabel(p: FoundQemuProcess): string {
  return p.name ?? `pid-${p.pid}`;
}

interface VmTotals {
  cpuNs: number;
  waitNs: number;
  memoryWaitingUs: number | null;
  memoryStalledUs: number | null;
  scopes: Set<string>;
}

export interface VmCostReading {
  readonly samples: Sample[];
  /** Processes whose figures could not be read (not those that exited): left out, logged. */
  readonly problems: string[];
}

export function createVmCostReader() {
  const totals = new ThreadTimeTotals();

  return async function readVmCosts(paths: HostPaths, processes: readonly FoundQemuProcess[]): Promise<VmCostReading> {
    const byVm = new Map<string, VmTotals>();
    const live = new Set<string>();
    const problems: string[] = [];
    for (const p of processes) {
      const vm = vmLabel(p);
      try {
        const threads = await readThreadTimes(paths, p.pid);
        if (!threads) continue; // exited since the scan
        const key = `${p.pid}\0${vm}`;
        live.add(key);
        const times = totals.update(key, threads);
        const t = byVm.get(vm) ?? { cpuNs: 0, waitNs: 0, memoryWaitingUs: null, memoryStalledUs: null, scopes: new Set<string>() };
        byVm.set(vm, t);
        t.cpuNs += times.cpuNs;
        t.waitNs += times.waitNs;
        const scope = await readScopeMemoryPressure(paths, p.pid);
        // Two processes of one VM in the same scope share its pressure: count it once.
        if (scope && !t.scopes.has(scope.scope)) {
          t.scopes.add(scope.scope);
          t.memoryWaitingUs = (t.memoryWaitingUs ?? 0) + scope.memory.some.totalMicroseconds;
          if (scope.memory.full) t.memoryStalledUs = (t.memoryStalledUs ?? 0) + scope.memory.full.totalMicroseconds;
        }
      } catch (err) {
        problems.push(`qemu process ${p.pid} (${vm}): ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    totals.retain(live);
    const samples: Sample[] = [];
    for (const [domain, t] of byVm) {
      samples.push(sample(domainCpuWait, { domain }, t.waitNs / NS), sample(domainCpu, { domain }, t.cpuNs / NS));
      if (t.memoryWaitingUs !== null) samples.push(sample(domainMemoryWaiting, { domain }, t.memoryWaitingUs / US));
      if (t.memoryStalledUs !== null) samples.push(sample(domainMemoryStalled, { domain }, t.memoryStalledUs / US));
    }
    return { samples, problems };
  };
}
