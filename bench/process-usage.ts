// CPU time and resident memory of a running process, from /proc/<pid>/stat and status: the
// same figures for headroom (Node) and its Go peers, read from outside both.
import { readFileSync } from 'node:fs';
import { runProgram } from '../src/exec.js';

let ticksPerSecond: number | null = null;

/** The kernel's clock-tick rate that /proc/<pid>/stat counts utime and stime in (USER_HZ). */
export async function clockTicks(): Promise<number> {
  if (ticksPerSecond === null) {
    const { stdout } = await runProgram('getconf', ['CLK_TCK'], { timeoutMs: 5000 });
    const n = Number(stdout.trim());
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/**
 * utime + stime of the process so far, in seconds (needs clockTicks() called once before);
 * with `children`, also cutime + cstime: the CPU of the programs it ran once reaped.
 */
export function cpuSeconds(pid: number, opts: { children?: boolean } = {}): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (field 14) is fields[11], stime (15) fields[12],
  // cutime (16) fields[13] and cstime (17) fields[14].
  let ticks = Number(fields[11]) + Number(fields[12]);
  if (opts.children) ticks += Number(fields[13]) + Number(fields[14]);
  return ticks / (ticksPerSecond ?? 100);
}

/** VmRSS in bytes. */
export function rssBytes(pid: number): number {
  return residentMemory(pid).rss;
}

export interface ResidentMemory {
  /** VmRSS: everything resident. */
  rss: number;
  /** RssAnon: the heap, stacks and malloc arenas: memory this process alone holds. */
  anon: number;
  /** RssFile: mapped file pages resident (the program's binary and libraries), shared with other processes running the same files. */
  file: number;
}

export function residentMemory(pid: number): ResidentMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
    return Number(m[1]) * 1024;
  };
  return { rss: kB('VmRSS'), anon: kB('RssAnon'), file: kB('RssFile') };
}
