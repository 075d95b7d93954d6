// The alerting mixin's `_config`: every threshold, `for` duration, rate window and label
// selector the rules use, with defaults. The config file's `alerting.rules` overrides any of
// them (see ./config-schema.ts); the rules are pure functions of this object.
import { parseDuration } from '../src/units.js';

/** Label matchers (PromQL, without braces) inserted into the selector of every series of one source. */
export interface AlertSelectors {
  /** Selects the `up` series of the headroom scrape jobs (HeadroomExporterDown). */
  headroomJob: string;
  /** Added to every headroom_* series; e.g. `cluster="prod"` to scope one copy of the rules. */
  headroom: string;
  obs: string;
  worker: string;
  swap: string;
  vmhost: string;
  pressure: string;
  backup: string;
}

/** Thresholds: plain numbers are ratios (1 = 100 %), counts or bytes per second; strings are durations. */
export interface AlertThresholds {
  /** OBSQueueBacklog: jobs waiting on one OBS instance. */
  obsQueueBacklogJobs: number;
  /** OBSWorkersDown: share of an architecture's workers that are dead or down. */
  obsWorkersDownRatio: number;
  /** OBSBuildStuck: age of the oldest running build job. */
  obsBuildStuckAge: string;
  /** OBSWorkerBroken: jobs a worker must have finished in the last hour to be judged. */
  obsBrokenWorkerMinJobs: number;
  /** OBSWorkerBroken: its failure share over the last hour at least this... */
  obsBrokenWorkerFailureRatio: number;
  /** ...and at least this many times its architecture's. */
  obsBrokenWorkerArchFactor: number;
  /** OBSWorkerSuspiciouslyFast: jobs with a duration the worker, and its peers together, must have finished in the last hour. */
  obsFastWorkerMinJobs: number;
  /** OBSWorkerSuspiciouslyFast: the worker's mean build time at most this share of its peers'. */
  obsFastWorkerRatio: number;
  /** OBSDaemonFlapping: restarts (start-time changes) within an hour. */
  obsDaemonRestartsPerHour: number;
  /** WorkerMemoryOvercommitted: (tmpfs + VM memory promised) / (RAM + swap). */
  workerMemoryOvercommitRatio: number;
  /** WorkerHugepagesOvercommitted: VM memory promised / hugepages. */
  workerHugepagesOvercommitRatio: number;
  /** WorkerSwapChurnHigh: bytes per second swapped in AND swapped out. */
  swapChurnBytesPerSecond: number;
  /** WorkerSwapAlmostFull warning / critical: share of the host's swap in use. */
  swapFullWarningRatio: number;
  swapFullCriticalRatio: number;
  /** SSDWearOutSoon: forecast time to the rated endurance below this. */
  ssdWearOutHorizon: string;
  /** SSDWearHigh: share of rated endurance used. */
  ssdWearHighRatio: number;
  /** VMHostMemoryOvercommitted: VM memory allocated / host memory. */
  vmhostMemoryOvercommitRatio: number;
  /** VMHostVCPUOvercommitHigh: vCPUs allocated / host CPUs. */
  vmhostVcpuOvercommitRatio: number;
  /** BackupShrunk: newest backup's size over the median of the sizes seen in the last 8 days. */
  backupShrunkRatio: number;
  /** WorkerMemoryStalled: share of the time every task of a worker host was stalled on memory (PSI full). */
  workerMemoryStalledRatio: number;
  /** VMHostCPUContention: share of the time a VM's threads were runnable that they waited for a host CPU. */
  vmhostCpuWaitRatio: number;
  /** VMHostCPUContention: and at least this many seconds of waiting per second, so idle VMs stay silent. */
  vmhostCpuWaitSecondsPerSecond: number;
}

/** Range windows of rates and trends. */
export interface AlertWindows {
  /** rate() window of the swap counters (recording rules). */
  rate: string;
  /** rate() window of SMART's lifetime write counter; SMART is read every few hours, so long. */
  ssdWriteRate: string;
  /** Window over which a backlog must not have shrunk to count as "not draining". */
  obsQueueTrend: string;
  /** rate() window of the stall counters (PSI, per-VM CPU wait). */
  pressure: string;
}

export const ALERT_NAMES = [
  'OBSApiDown',
  'OBSSchedulerNotRunning',
  'OBSDispatcherNotRunning',
  'OBSDaemonNotRunning',
  'OBSQueueBacklog',
  'OBSWorkersDown',
  'OBSNoWorkersAvailable',
  'OBSWorkerHostDead',
  'OBSBuildStuck',
  'OBSRepositoryBroken',
  'OBSWorkerBroken',
  'OBSWorkerSuspiciouslyFast',
  'OBSDaemonFlapping',
  'OBSPackagesStarved',
  'WorkerMemoryOvercommitted',
  'WorkerHugepagesOvercommitted',
  'WorkerSwapChurnHigh',
  'WorkerSwapAlmostFull',
  'WorkerSwapOnRotationalDisk',
  'SSDWearOutSoon',
  'SSDWearHigh',
  'VMHostMemoryOvercommitted',
  'VMHostVCPUOvercommitHigh',
  'VMHostDomainCrashed',
  'VMHostLibvirtDown',
  'VMHostCPUContention',
  'WorkerMemoryStalled',
  'BackupStale',
  'BackupNeverSucceeded',
  'BackupCheckFailing',
  'BackupRepositoryLocked',
  'BackupIntegrityCheckFailing',
  'BackupIntegrityCheckOverdue',
  'BackupRestoreTestFailing',
  'BackupRestoreTestOverdue',
  'BackupHostsUncovered',
  'BackupVMsUncovered',
  'BackupShrunk',
  'HeadroomCollectorFailing',
  'HeadroomExporterDown',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export interface AlertsConfig {
  selectors: AlertSelectors;
  thresholds: AlertThresholds;
  /** `for` of each alert: how long the condition must hold before it fires. */
  for: Record<AlertName, string>;
  windows: AlertWindows;
  /** Where each alert's runbook is; `%s` becomes the lower-cased alert name (a Markdown anchor). */
  runbookUrlPattern: string;
}

export const defaultAlertsConfig: AlertsConfig = Object.freeze({
  selectors: {
    headroomJob: 'job="headroom"',
    headroom: '',
    obs: '',
    worker: '',
    swap: '',
    vmhost: '',
    pressure: '',
    backup: '',
  },
  thresholds: {
    obsQueueBacklogJobs: 100,
    obsWorkersDownRatio: 0.25,
    obsBuildStuckAge: '1d',
    obsBrokenWorkerMinJobs: 10,
    obsBrokenWorkerFailureRatio: 0.5,
    obsBrokenWorkerArchFactor: 3,
    obsFastWorkerMinJobs: 10,
    obsFastWorkerRatio: 0.25,
    obsDaemonRestartsPerHour: 3,
    workerMemoryOvercommitRatio: 1,
    workerHugepagesOvercommitRatio: 1,
    swapChurnBytesPerSecond: 10 * 2 ** 20,
    swapFullWarningRatio: 0.8,
    swapFullCriticalRatio: 0.95,
    ssdWearOutHorizon: '180d',
    ssdWearHighRatio: 0.8,
    vmhostMemoryOvercommitRatio: 1,
    vmhostVcpuOvercommitRatio: 4,
    backupShrunkRatio: 0.5,
    workerMemoryStalledRatio: 0.1,
    vmhostCpuWaitRatio: 0.2,
    vmhostCpuWaitSecondsPerSecond: 0.1,
  },
  for: {
    OBSApiDown: '5m',
    // A scheduler boots for minutes after a restart on a big instance (it reads every project).
    OBSSchedulerNotRunning: '15m',
    OBSDispatcherNotRunning: '5m',
    OBSDaemonNotRunning: '15m',
    OBSQueueBacklog: '30m',
    OBSWorkersDown: '15m',
    OBSNoWorkersAvailable: '10m',
    OBSWorkerHostDead: '15m',
    OBSBuildStuck: '5m',
    OBSRepositoryBroken: '30m',
    OBSWorkerBroken: '10m',
    OBSWorkerSuspiciouslyFast: '10m',
    OBSDaemonFlapping: '0m',
    OBSPackagesStarved: '30m',
    WorkerMemoryOvercommitted: '15m',
    WorkerHugepagesOvercommitted: '15m',
    WorkerSwapChurnHigh: '30m',
    WorkerSwapAlmostFull: '10m',
    WorkerSwapOnRotationalDisk: '1h',
    SSDWearOutSoon: '1h',
    SSDWearHigh: '1h',
    VMHostMemoryOvercommitted: '15m',
    VMHostVCPUOvercommitHigh: '1h',
    VMHostDomainCrashed: '5m',
    VMHostLibvirtDown: '10m',
    VMHostCPUContention: '15m',
    WorkerMemoryStalled: '15m',
    BackupStale: '5m',
    BackupNeverSucceeded: '1h',
    BackupCheckFailing: '30m',
    // Longer than any backup or prune run should take: a nightly prune of a big repository takes hours.
    BackupRepositoryLocked: '6h',
    // One result per run (weekly by default): a failed run stays failed until the next one.
    BackupIntegrityCheckFailing: '5m',
    BackupIntegrityCheckOverdue: '1h',
    BackupRestoreTestFailing: '5m',
    BackupRestoreTestOverdue: '1h',
    // A new host or VM gets a day to be added to a backup target.
    BackupHostsUncovered: '1d',
    BackupVMsUncovered: '1d',
    BackupShrunk: '5m',
    HeadroomCollectorFailing: '15m',
    HeadroomExporterDown: '5m',
  },
  windows: {
    rate: '5m',
    ssdWriteRate: '1d',
    obsQueueTrend: '30m',
    pressure: '10m',
  },
  runbookUrlPattern: 'https://headroom.example.org/docs/runbooks.md#%s',
});

/** Overrides as the config file gives them: any subset of each part. */
export interface AlertsConfigOverrides {
  selectors?: Partial<AlertSelectors>;
  thresholds?: Partial<AlertThresholds>;
  for?: Partial<Record<AlertName, string>>;
  windows?: Partial<AlertWindows>;
  runbookUrlPattern?: string;
}

/** Defaults with the overrides laid over them, part by part (the mixin `_config +:` idiom). */
export function mergeAlertsConfig(overrides: AlertsConfigOverrides = {}, base: AlertsConfig = defaultAlertsConfig): AlertsConfig {
  return {
    selectors: { ...base.selectors, ...overrides.selectors },
    thresholds: { ...base.thresholds, ...overrides.thresholds },
    for: { ...base.for, ...overrides.for },
    windows: { ...base.windows, ...overrides.windows },
    runbookUrlPattern: overrides.runbookUrlPattern ?? base.runbookUrlPattern,
  };
}

/** Seconds of a duration from the config (validated when the config was loaded). */
export function seconds(duration: string): number {
  const ms = parseDuration(duration);
  if (ms === null) throw new Error(`${JSON.stringify(duration)} is not a Prometheus duration`);
  return ms / 1000;
}

/** `metric{a,b}`: the metric with the non-empty matchers, or the bare name when there are none. */
export function select(metric: string, ...matchers: string[]): string {
  const parts = matchers.map((m) => m.trim()).filter((m) => m !== '');
  return parts.length === 0 ? metric : `${metric}{${parts.join(',')}}`;
}

/**
 * A user's selector written for a collector's own label (`obs="prod"`, `target=~"db.*"`) applied
 * to the runtime's per-source health series, where that name is the `source` label.
 */
export function asSourceMatchers(selector: string, label: string): string {
  return selector.replace(new RegExp(`(^|,)\\s*${label}\\s*(=~|!~|!=|=)`, 'g'), '$1source$2');
}

/** Collectors whose sources their own series name by a label of their own: an OBS instance, a backup target. */
export const OWN_SOURCE_LABEL = { obs: 'obs', backup: 'target' } as const;

export function runbookUrl(cfg: AlertsConfig, alert: string): string {
  return cfg.runbookUrlPattern.replace('%s', alert.toLowerCase());
}
