// The pressure collector's catalog: what overcommit costs, as time tasks spend stalled. PSI
// totals are cumulative, so they are counters in seconds (node_exporter's convention); rate()
// of one is the share of time stalled. Read at scrape time.
import { counter } from '../../src/metrics.js';

const SOME = 'at least one task was stalled';
const FULL = 'every non-idle task was stalled at once (no progress at all)';

function waiting(resource: string, why: string) {
  return counter(
    `headroom_pressure_${resource}_waiting_seconds_total`,
    `Seconds in which ${SOME} waiting for ${why} (PSI "some" total in /proc/pressure/${resource}); absent on kernels without PSI.`,
  );
}

function stalled(resource: string, why: string, note = '') {
  return counter(
    `headroom_pressure_${resource}_stalled_seconds_total`,
    `Seconds in which ${FULL} waiting for ${why} (PSI "full" total in /proc/pressure/${resource}); absent on kernels without PSI.${note}`,
  );
}

export const pressureMetrics = {
  cpuWaiting: waiting('cpu', 'a CPU'),
  cpuStalled: stalled('cpu', 'a CPU', ' Host-wide this stays 0 (kernel 5.13+ prints it for the cgroup format only); absent before 5.13.'),
  memoryWaiting: waiting('memory', 'memory (reclaim, swap-in, refaults, compaction)'),
  memoryStalled: stalled('memory', 'memory (reclaim, swap-in, refaults, compaction)'),
  ioWaiting: waiting('io', 'I/O'),
  ioStalled: stalled('io', 'I/O'),
  majorFaults: counter(
    'headroom_pressure_major_page_faults_total',
    'Major page faults since boot (pgmajfault in /proc/vmstat): pages a task had to wait for from disk or swap. Swap-in bytes are headroom_swap_in_bytes_total (swap collector).',
  ),
} as const;

export const pressureCatalog = Object.values(pressureMetrics);
