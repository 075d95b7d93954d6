// Pure: per-VM CPU and run-delay totals that only go up while the qemu process lives. The
// kernel keeps schedstat per thread, and a thread's figures vanish when it exits (qemu starts
// and ends I/O worker threads as it goes); summing the live threads alone would make the
// counter drop. Each exited thread keeps contributing what it had at its last reading.

export interface CpuTimes {
  /** On a CPU, in nanoseconds. */
  readonly cpuNs: number;
  /** Runnable but waiting for a CPU, in nanoseconds. */
  readonly waitNs: number;
}

interface ProcessState {
  threads: Map<number, CpuTimes>;
  retiredCpuNs: number;
  retiredWaitNs: number;
}

export class ThreadTimeTotals {
  private readonly processes = new Map<string, ProcessState>();

  /**
   * The totals of one process (key: its pid and VM name, so a reused pid starts afresh) from
   * its live threads now, counting the threads that exited since earlier readings.
   */
  update(key: string, threads: ReadonlyMap<number, CpuTimes>): CpuTimes {
    let state = this.processes.get(key);
    if (!state) {
      state = { threads: new Map(), retiredCpuNs: 0, retiredWaitNs: 0 };
      this.processes.set(key, state);
    }
    for (const [tid, last] of state.threads) {
      const now = threads.get(tid);
      // Gone, or a reused thread id whose figures restarted: the old thread's time is final.
      if (!now || now.cpuNs < last.cpuNs || now.waitNs < last.waitNs) {
        state.retiredCpuNs += last.cpuNs;
        state.retiredWaitNs += last.waitNs;
      }
    }
    state.threads = new Map(threads);
    let cpuNs = state.retiredCpuNs;
    let waitNs = state.retiredWaitNs;
    for (const t of threads.values()) {
      cpuNs += t.cpuNs;
      waitNs += t.waitNs;
    }
    return { cpuNs, waitNs };
  }

  /** Forgets processes that are no longer running. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.processes.keys()) if (!keys.has(key)) this.processes.delete(key);
  }
}
