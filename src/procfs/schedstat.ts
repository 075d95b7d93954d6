import { ProcParseError } from './meminfo.js';

/** A task's scheduler statistics from /proc/<pid>/task/<tid>/schedstat (sched-stats.rst). */
export interface TaskSchedstat {
  /** Time spent on a CPU, in nanoseconds. */
  readonly cpuNs: number;
  /** Time spent runnable but waiting for a CPU (run delay), in nanoseconds. */
  readonly waitNs: number;
  /** Timeslices run on a CPU. */
  readonly timeslices: number;
}

/** `<cpu ns> <wait ns> <timeslices>`, one line. */
export function parseSchedstat(text: string, file = 'schedstat'): TaskSchedstat {
  const m = /^(\d+) (\d+) (\d+)\s*$/.exec(text);
  if (!m) throw new ProcParseError(file, `expected "<cpu ns> <wait ns> <timeslices>", got ${JSON.stringify(text.slice(0, 80))}`);
  return { cpuNs: Number(m[1]), waitNs: Number(m[2]), timeslices: Number(m[3]) };
}
