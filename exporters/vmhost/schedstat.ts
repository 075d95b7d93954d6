// Per-VM I/O for what overcommit costs a VM: the scheduler statistics of every thread of its
// qemu process, and the memory pressure of the systemd scope it runs in (cgroup v2).
import { readdir, readFile } from 'node:fs/promises';
import { procPath, sysPath, type HostPaths } from '../../src/paths.js';
import { cgroupV2Path, enclosingScope } from '../../src/procfs/cgroup.js';
import { readPressureFile, type Pressure } from '../../src/procfs/pressure.js';
import { readKernelFile } from '../../src/procfs/read.js';
import { parseSchedstat } from '../../src/procfs/schedstat.js';
import type { CpuTimes } from './thread-times.js';

function vanished(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** CPU and wait time of each live thread of a process; null when the process has exited. */
export async function readThreadTimes(paths: HostPaths, pid: number): Promise<Map<number, CpuTimes> | null> {
  let tids: string[];
  try {
    tids = await readdir(procPath(paths, String(pid), 'task'));
  } catch (err) {
    if (vanished(err)) return null;
    throw err;
  }
  const out = new Map<number, CpuTimes>();
  for (const tid of tids) {
    if (!/^\d+$/.test(tid)) continue;
    const file = procPath(paths, String(pid), 'task', tid, 'schedstat');
    let text: string;
    try {
      text = await readKernelFile(file);
    } catch (err) {
      if (vanished(err)) continue; // the thread exited while we looked
      throw err;
    }
    const s = parseSchedstat(text, file);
    out.set(Number(tid), { cpuNs: s.cpuNs, waitNs: s.waitNs });
  }
  return out;
}

export interface ScopePressure {
  /** The VM's systemd scope (cgroup v2 path), which tells two processes' scopes apart. */
  readonly scope: string;
  readonly memory: Pressure;
}

/**
 * Memory pressure of the systemd scope holding a process, where cgroup v2 gives one (libvirt
 * and systemd-machined put each VM in its own machine-*.scope); null otherwise: on cgroup v1,
 * or for a qemu run inside a shared service (its pressure is not the VM's alone).
 */
export async function readScopeMemoryPressure(paths: HostPaths, pid: number): Promise<ScopePressure | null> {
  let text: string;
  try {
    // /proc/<pid>/cgroup: asynchronous like cmdline, as it takes the process' locks.
    text = await readFile(procPath(paths, String(pid), 'cgroup'), 'utf8');
  } catch (err) {
    if (vanished(err)) return null;
    throw err;
  }
  const cgroup = cgroupV2Path(text);
  const scope = cgroup === null ? null : enclosingScope(cgroup);
  if (scope === null) return null;
  const memory = await readPressureFile(sysPath(paths, 'fs/cgroup', scope, 'memory.pressure'));
  return memory && { scope, memory };
}
