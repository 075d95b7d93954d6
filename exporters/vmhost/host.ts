// Host I/O outside libvirt: the qemu processes in /proc, and the host's CPUs and memory when
// libvirt cannot tell them. Every path goes through --path.procfs / --path.sysfs.
import { readFile as readFileCallback } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { procPath, sysPath, type HostPaths } from '../../src/paths.js';
import { readMeminfo } from '../../src/procfs/meminfo.js';
import { countCpuinfoProcessors, countCpuList } from './cpu-list.js';
import { parseProcCmdline, type QemuProcess } from './qemu-cmdline.js';

export interface FoundQemuProcess extends QemuProcess {
  readonly pid: number;
}

export interface QemuScan {
  readonly processes: readonly FoundQemuProcess[];
  /** qemu processes whose command line did not parse: left out of the totals, logged. */
  readonly skipped: readonly string[];
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Reads in chunks: thousands of processes, but never thousands of open files at once. */
const READ_CONCURRENCY = 64;

/**
 * One cmdline file through fs.readFile's callback API: for the hundreds of small /proc files of
 * a scan it costs markedly less CPU than fs/promises' FileHandle-based readFile.
 */
function readCmdline(file: string): Promise<string> {
  return new Promise((resolve, reject) => readFileCallback(file, 'utf8', (err, text) => (err ? reject(err) : resolve(text))));
}

/** Every qemu process under procfs. Processes that exit while we look are skipped silently. */
export async function scanQemuProcesses(paths: HostPaths, signal?: AbortSignal): Promise<QemuScan> {
  const root = procPath(paths);
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch (err) {
    throw new Error(`cannot list processes in ${root}: ${errno(err) ?? String(err)}`);
  }
  const pids = entries.filter((e) => /^\d+$/.test(e));
  const processes: FoundQemuProcess[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < pids.length; i += READ_CONCURRENCY) {
    signal?.throwIfAborted();
    await Promise.all(
      pids.slice(i, i + READ_CONCURRENCY).map(async (pid) => {
        const file = procPath(paths, pid, 'cmdline');
        let raw: string;
        try {
          raw = await readCmdline(file);
        } catch (err) {
          // Gone (ENOENT/ESRCH) or not ours to read: not a qemu process we can account for.
          if (errno(err) !== 'ENOENT' && errno(err) !== 'ESRCH') skipped.push(`${file}: ${errno(err) ?? String(err)}`);
          return;
        }
        try {
          const qemu = parseProcCmdline(raw);
          if (qemu) processes.push({ ...qemu, pid: Number(pid) });
        } catch (err) {
          skipped.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  }
  processes.sort((a, b) => a.pid - b.pid);
  return { processes, skipped };
}

export interface HostTotals {
  readonly cpus: number;
  readonly memoryBytes: number;
}

/** CPUs online (sysfs, else /proc/cpuinfo) and MemTotal: the host as seen without libvirt. */
export async function readHostTotals(paths: HostPaths): Promise<HostTotals> {
  const meminfo = await readMeminfo(paths).catch((err: unknown) => {
    throw new Error(`cannot read host memory from ${procPath(paths, 'meminfo')}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const online = sysPath(paths, 'devices/system/cpu/online');
  const cpuinfo = procPath(paths, 'cpuinfo');
  let cpus: number;
  try {
    cpus = countCpuList(await readFile(online, 'utf8'));
  } catch (sysErr) {
    try {
      cpus = countCpuinfoProcessors(await readFile(cpuinfo, 'utf8'));
    } catch (procErr) {
      const why = (e: unknown) => errno(e) ?? (e instanceof Error ? e.message : String(e));
      throw new Error(`cannot count host CPUs: ${online}: ${why(sysErr)}; ${cpuinfo}: ${why(procErr)}`);
    }
  }
  return { cpus, memoryBytes: meminfo.get('MemTotal')! };
}
