// The alerting rules, as pure functions of the mixin config. Metric names come from the
// exporters' catalogs; shared expressions from the recording rules. Every alert has a
// runbook section in docs/runbooks.md (anchor = lower-cased alert name).
import {
  lastSuccess as backupLastSuccess,
  maxAge as backupMaxAge,
  repositoryLocks as backupRepositoryLocks,
  integrityCheck as backupIntegrityCheck,
  restoreTest as backupRestoreTest,
  type PeriodicTestMetrics,
} from '../exporters/backup/metrics.js';
import {
  obsBuildStart,
  obsDaemonStart,
  obsDaemonState,
  obsJobsFinished,
  obsPackagesStarved,
  obsWorkerJobDuration,
  obsOldestBuildStart,
  obsRepositoryState,
  obsWorkerHostInstances,
  obsWorkers,
} from '../exporters/obs/metrics.js';
import { pressureMetrics } from '../exporters/pressure/metrics.js';
import { swapMetrics } from '../exporters/swap/metrics.js';
import {
  domainCpu,
  domainCpuWait,
  domains,
  memoryOvercommit as vmhostMemoryOvercommit,
  vcpuOvercommit as vmhostVcpuOvercommit,
} from '../exporters/vmhost/metrics.js';
import { workerMetrics } from '../exporters/worker/metrics.js';
import { collectorSuccess, sourceUp } from '../src/runtime.js';
import { formatBytes } from '../src/units.js';
import { type AlertName, type AlertsConfig, asSourceMatchers, runbookUrl, seconds, select } from './config.js';
import {
  RECORDED_BACKUP_AGE,
  RECORDED_BACKUP_SIZE_OVER_MEDIAN,
  RECORDED_BACKUP_UNCOVERED_HOSTS,
  RECORDED_BACKUP_UNCOVERED_VMS,
  RECORDED_OBS_JOBS_WAITING,
  RECORDED_OBS_WORKERS_BY_STATE,
  RECORDED_OBS_WORKERS_UNAVAILABLE_RATIO,
  RECORDED_SSD_WEAR_OUT_SECONDS,
  RECORDED_SWAP_IN_RATE,
  RECORDED_SWAP_OUT_RATE,
  RECORDED_SWAP_USED_RATIO,
  backupRecordingRules,
  obsRecordingRules,
  swapRecordingRules,
} from './recording.js';
import type { AlertingRule, RuleGroup, Severity } from './types.js';

interface AlertSpec {
  name: AlertName;
  severity: Severity;
  expr: string;
  summary: string;
  description: string;
}

function rule(cfg: AlertsConfig, a: AlertSpec): AlertingRule {
  return {
    alert: a.name,
    expr: a.expr,
    for: cfg.for[a.name],
    labels: { severity: a.severity },
    annotations: { summary: a.summary, description: a.description, runbook_url: runbookUrl(cfg, a.name) },
  };
}

function obsAlerts(cfg: AlertsConfig): RuleGroup {
  const s = cfg.selectors;
  const t = cfg.thresholds;
  const obs = (metric: string, ...m: string[]) => select(metric, s.headroom, s.obs, ...m);
  const running = (...m: string[]) => `${obs(obsDaemonState.name, ...m, 'state="running"')} == 0`;
  const finishedLastHour = (by: string, ...m: string[]) => `sum by (${by}) (increase(${obs(obsJobsFinished.name, ...m)}[1h]))`;
  // One worker's failure share, and that of the other workers of its arch (the broken worker
  // itself must not raise the bar it is measured against).
  const W = 'obs, worker, host, arch';
  const failed = (by: string) => finishedLastHour(by, 'code="failed"');
  const workerShare = `(${failed(W)} / ${finishedLastHour(W)})`;
  const peers = (by: (b: string) => string) => `(${by('obs, arch')} - on (obs, arch) group_right ${by(W)})`;
  const peerShare = `(${peers(failed)} / ${peers((b) => finishedLastHour(b))})`;
  // Build time per worker over the last hour, and that of the other workers of its arch.
  const durationLastHour = (part: 'sum' | 'count') => (by: string) => `sum by (${by}) (increase(${obs(`${obsWorkerJobDuration.name}_${part}`)}[1h]))`;
  const timedJobs = durationLastHour('count');
  const workerMean = `(${durationLastHour('sum')(W)} / ${timedJobs(W)})`;
  const peerMean = `(${peers(durationLastHour('sum'))} / ${peers(timedJobs)})`;
  const specs: AlertSpec[] = [
    {
      name: 'OBSApiDown',
      severity: 'critical',
      expr: `${select(sourceUp.name, s.headroom, 'collector="obs"', asSourceMatchers(s.obs, 'obs'))} == 0`,
      summary: 'An OBS instance does not answer headroom\'s polls.',
      description:
        'headroom on {{ $labels.instance }} cannot read the worker status of OBS instance {{ $labels.source }}; the reason is on its status page.',
    },
    {
      name: 'OBSSchedulerNotRunning',
      severity: 'critical',
      expr: running('type="scheduler"'),
      summary: 'An OBS scheduler is not running.',
      description:
        'The {{ $labels.arch }} scheduler of OBS instance {{ $labels.obs }} (partition {{ $labels.partition }}) is not running: nothing new for {{ $labels.arch }} gets scheduled.',
    },
    {
      name: 'OBSDispatcherNotRunning',
      severity: 'critical',
      expr: running('type="dispatcher"'),
      summary: 'The OBS dispatcher is not running.',
      description:
        'The dispatcher of OBS instance {{ $labels.obs }} (partition {{ $labels.partition }}) is not running: no build job is handed to a worker.',
    },
    {
      name: 'OBSDaemonNotRunning',
      severity: 'warning',
      expr: running('type!~"scheduler|dispatcher"'),
      summary: 'An OBS back-end daemon is not running.',
      description: 'The {{ $labels.type }} of OBS instance {{ $labels.obs }} (partition {{ $labels.partition }}) is not running.',
    },
    {
      name: 'OBSQueueBacklog',
      severity: 'warning',
      expr:
        `${RECORDED_OBS_JOBS_WAITING} > ${t.obsQueueBacklogJobs}` +
        ` and deriv(${RECORDED_OBS_JOBS_WAITING}[${cfg.windows.obsQueueTrend}]) >= 0` +
        ` and ignoring (state) ${RECORDED_OBS_WORKERS_BY_STATE}{state="idle"} == 0`,
      summary: 'OBS build jobs pile up and no worker is idle.',
      description: `{{ $value }} build jobs are waiting on OBS instance {{ $labels.obs }}, the queue has not shrunk over ${cfg.windows.obsQueueTrend}, and none of its workers is idle.`,
    },
    {
      name: 'OBSWorkersDown',
      severity: 'warning',
      expr: `${RECORDED_OBS_WORKERS_UNAVAILABLE_RATIO} > ${t.obsWorkersDownRatio}`,
      summary: 'Many OBS workers are dead or down.',
      description:
        '{{ $value | humanizePercentage }} of the {{ $labels.hostarch }} workers of OBS instance {{ $labels.obs }} are dead or down.',
    },
    {
      name: 'OBSNoWorkersAvailable',
      severity: 'critical',
      expr: `sum without (state) (${obs(obsWorkers.name, 'state=~"idle|building"')}) == 0`,
      summary: 'No OBS worker of an architecture is idle or building.',
      description:
        'None of the {{ $labels.hostarch }} workers of OBS instance {{ $labels.obs }} is idle or building: nothing that needs a {{ $labels.hostarch }} worker can build.',
    },
    {
      name: 'OBSWorkerHostDead',
      severity: 'warning',
      expr:
        `sum without (state) (${obs(obsWorkerHostInstances.name, 'state="dead"')})` +
        ` / sum without (state) (${obs(obsWorkerHostInstances.name)}) == 1`,
      summary: 'Every worker instance of an OBS worker host is dead.',
      description:
        'All worker instances on host {{ $labels.host }} of OBS instance {{ $labels.obs }} are dead: the host or its obsworker service is gone.',
    },
    {
      name: 'OBSBuildStuck',
      severity: 'warning',
      // Per building worker where OBS says what builds there; the per-arch oldest start otherwise.
      expr:
        `time() - ${obs(obsBuildStart.name)} > ${seconds(t.obsBuildStuckAge)}` +
        ` or (time() - ${obs(obsOldestBuildStart.name)} > ${seconds(t.obsBuildStuckAge)} unless on (obs, arch) ${obs(obsBuildStart.name)})`,
      summary: 'An OBS build job has been running for too long.',
      description:
        'The oldest {{ $labels.arch }} build job on OBS instance {{ $labels.obs }}{{ if $labels.worker }} ({{ $labels.project }}/{{ $labels.repository }}/{{ $labels.package }} on worker {{ $labels.worker }}){{ end }} has been running for {{ $value | humanizeDuration }}.',
    },
    {
      name: 'OBSRepositoryBroken',
      severity: 'warning',
      expr: `${obs(obsRepositoryState.name, 'state=~"broken|publishfailed"')} == 1`,
      summary: 'An OBS repository is broken or failed to publish.',
      description:
        'Repository {{ $labels.project }}/{{ $labels.repository }} ({{ $labels.arch }}) on OBS instance {{ $labels.obs }} is {{ $labels.state }}.',
    },
    {
      name: 'OBSWorkerBroken',
      severity: 'warning',
      // Judged per worker over the last hour: enough jobs, a failure share that is high in
      // itself and several times its architecture's (a bad package fails everywhere alike).
      expr:
        `${workerShare} >= ${t.obsBrokenWorkerFailureRatio}` +
        ` and ${finishedLastHour(W)} >= ${t.obsBrokenWorkerMinJobs}` +
        ` and ${workerShare} >= ${t.obsBrokenWorkerArchFactor} * ${peerShare}`,
      summary: 'An OBS worker fails far more of its builds than its peers.',
      description:
        'Worker {{ $labels.worker }} on host {{ $labels.host }} of OBS instance {{ $labels.obs }} failed {{ $value | humanizePercentage }} of its {{ $labels.arch }} builds in the last hour, several times the share of the other {{ $labels.arch }} workers: it is probably broken and eating the queue.',
    },
    {
      name: 'OBSWorkerSuspiciouslyFast',
      severity: 'warning',
      // A worker that ends jobs in seconds where its peers take minutes builds nothing real
      // (fails at once, or reports results it did not build); enough jobs on both sides.
      expr:
        `${workerMean} <= ${t.obsFastWorkerRatio} * ${peerMean}` +
        ` and ${timedJobs(W)} >= ${t.obsFastWorkerMinJobs}` +
        ` and ${peers(timedJobs)} >= ${t.obsFastWorkerMinJobs}`,
      summary: 'An OBS worker finishes its builds far faster than its peers.',
      description:
        'Worker {{ $labels.worker }} on host {{ $labels.host }} of OBS instance {{ $labels.obs }} took {{ $value | humanizeDuration }} per {{ $labels.arch }} job on average in the last hour, a fraction of what the other {{ $labels.arch }} workers take: it probably does not really build.',
    },
    {
      name: 'OBSDaemonFlapping',
      severity: 'warning',
      expr: `changes(${obs(obsDaemonStart.name, 'type=~"scheduler|dispatcher|publisher"')}[1h]) >= ${t.obsDaemonRestartsPerHour}`,
      summary: 'An OBS daemon keeps restarting.',
      description:
        'The {{ $labels.type }}{{ if $labels.arch }} ({{ $labels.arch }}){{ end }} of OBS instance {{ $labels.obs }} (partition {{ $labels.partition }}) restarted {{ $value }} times in the last hour.',
    },
    {
      name: 'OBSPackagesStarved',
      severity: 'warning',
      expr: `${obs(obsPackagesStarved.name)} > 0`,
      summary: 'OBS packages are scheduled but no worker can take them.',
      description:
        '{{ $value }} scheduled {{ $labels.arch }} packages of the watched projects on OBS instance {{ $labels.obs }} wait for a worker that cannot come: {{ $labels.reason }}.',
    },
  ];
  return { name: 'headroom-obs', rules: [...obsRecordingRules(cfg), ...specs.map((a) => rule(cfg, a))] };
}

function workerAlerts(cfg: AlertsConfig): RuleGroup {
  const s = cfg.selectors;
  const t = cfg.thresholds;
  const worker = (metric: string) => select(metric, s.headroom, s.worker);
  const swap = (metric: string) => select(metric, s.headroom, s.swap);
  const pressure = (metric: string) => select(metric, s.headroom, s.pressure);
  const swapFull = (severity: Severity, ratio: number): AlertSpec => ({
    name: 'WorkerSwapAlmostFull',
    severity,
    expr: `${RECORDED_SWAP_USED_RATIO} > ${ratio}`,
    summary: 'A host has almost no swap left.',
    description:
      '{{ $labels.instance }} has used {{ $value | humanizePercentage }} of its swap: tmpfs build roots will fail with ENOSPC or the OOM killer will end builds.',
  });
  const specs: AlertSpec[] = [
    {
      name: 'WorkerMemoryOvercommitted',
      severity: 'warning',
      expr: `${worker(workerMetrics.overcommit.name)} > ${t.workerMemoryOvercommitRatio}`,
      summary: 'An OBS worker host promises more memory than RAM and swap hold.',
      description:
        'Build roots and build VMs on {{ $labels.instance }} are promised {{ $value | humanizePercentage }} of RAM + swap: at full load builds hit ENOSPC or the OOM killer.',
    },
    {
      name: 'WorkerHugepagesOvercommitted',
      severity: 'warning',
      expr: `${worker(workerMetrics.hugepagesOvercommit.name)} > ${t.workerHugepagesOvercommitRatio}`,
      summary: 'An OBS worker host promises build VMs more hugepages than it reserves.',
      description:
        'Build VMs on {{ $labels.instance }} are promised {{ $value | humanizePercentage }} of the reserved hugepages: at full load some build VMs cannot start.',
    },
    {
      name: 'WorkerSwapChurnHigh',
      severity: 'warning',
      expr: `${RECORDED_SWAP_IN_RATE} > ${t.swapChurnBytesPerSecond} and ${RECORDED_SWAP_OUT_RATE} > ${t.swapChurnBytesPerSecond}`,
      summary: 'A host keeps swapping in and out.',
      description: `{{ $labels.instance }} swaps in {{ $value | humanize1024 }}B/s while also swapping out more than ${formatBytes(t.swapChurnBytesPerSecond)}/s: memory is thrashing between RAM and swap.`,
    },
    swapFull('warning', t.swapFullWarningRatio),
    swapFull('critical', t.swapFullCriticalRatio),
    {
      name: 'WorkerMemoryStalled',
      severity: 'warning',
      // Worker hosts only (those running the worker collector); PSI full: no task made progress.
      expr: `rate(${pressure(pressureMetrics.memoryStalled.name)}[${cfg.windows.pressure}]) > ${t.workerMemoryStalledRatio} and on (job, instance) ${select(collectorSuccess.name, s.headroom, 'collector="worker"')}`,
      summary: 'Builds on a worker host are stalled on memory.',
      description:
        'For {{ $value | humanizePercentage }} of the time every running task on {{ $labels.instance }} was stalled waiting for memory (reclaim, swap-in, refaults): the overcommit is slowing builds down now.',
    },
    {
      name: 'WorkerSwapOnRotationalDisk',
      severity: 'warning',
      expr: `${swap(swapMetrics.deviceRotational.name)} == 1 and on (job, instance) ${worker(workerMetrics.tmpfsEnabled.name)} == 1`,
      summary: 'Swap of a tmpfs build host is on a spinning disk.',
      description:
        'Swap area {{ $labels.device }} on {{ $labels.instance }} is on a spinning disk while build roots are tmpfs: builds that spill into swap will crawl.',
    },
    {
      name: 'SSDWearOutSoon',
      severity: 'warning',
      expr: `${RECORDED_SSD_WEAR_OUT_SECONDS} < ${seconds(t.ssdWearOutHorizon)}`,
      summary: 'An SSD will reach its rated endurance soon at the current write rate.',
      description:
        'At its current write rate, {{ $labels.device }} on {{ $labels.instance }} reaches its rated endurance in {{ $value | humanizeDuration }}.',
    },
    {
      name: 'SSDWearHigh',
      severity: 'warning',
      expr: `${swap(swapMetrics.ssdWearUsed.name)} > ${t.ssdWearHighRatio}`,
      summary: 'An SSD has used most of its rated endurance.',
      description: '{{ $labels.device }} on {{ $labels.instance }} has used {{ $value | humanizePercentage }} of its rated endurance.',
    },
  ];
  return { name: 'headroom-worker', rules: [...swapRecordingRules(cfg), ...specs.map((a) => rule(cfg, a))] };
}

function vmhostAlerts(cfg: AlertsConfig): RuleGroup {
  const s = cfg.selectors;
  const t = cfg.thresholds;
  const vmhost = (metric: string, ...m: string[]) => select(metric, s.headroom, s.vmhost, ...m);
  const libvirtUp = vmhost(sourceUp.name, 'collector="vmhost"', 'source="libvirt"');
  const vmWait = `rate(${vmhost(domainCpuWait.name)}[${cfg.windows.pressure}])`;
  const vmRun = `rate(${vmhost(domainCpu.name)}[${cfg.windows.pressure}])`;
  const specs: AlertSpec[] = [
    {
      name: 'VMHostMemoryOvercommitted',
      severity: 'warning',
      expr: `${vmhost(vmhostMemoryOvercommit.name)} > ${t.vmhostMemoryOvercommitRatio}`,
      summary: 'VMs were given more memory than their host has.',
      description: 'VMs on {{ $labels.instance }} were given {{ $value | humanizePercentage }} of the host\'s memory.',
    },
    {
      name: 'VMHostVCPUOvercommitHigh',
      severity: 'warning',
      expr: `${vmhost(vmhostVcpuOvercommit.name)} > ${t.vmhostVcpuOvercommitRatio}`,
      summary: 'VMs have many more vCPUs than their host has CPUs.',
      description: 'VMs on {{ $labels.instance }} have {{ printf "%.1f" $value }} vCPUs per host CPU.',
    },
    {
      name: 'VMHostDomainCrashed',
      severity: 'warning',
      expr: `${vmhost(domains.name, 'state="crashed"')} > 0`,
      summary: 'A libvirt domain has crashed.',
      description: '{{ $value }} libvirt domains on {{ $labels.instance }} are in the crashed state.',
    },
    {
      name: 'VMHostCPUContention',
      severity: 'warning',
      // Share of the VM's runnable time spent waiting, and an absolute floor: a nearly idle VM
      // whose rare wake-ups wait a moment has a high share of very little.
      expr: `(${vmWait} / (${vmWait} + ${vmRun}) > ${t.vmhostCpuWaitRatio}) and ${vmWait} > ${t.vmhostCpuWaitSecondsPerSecond}`,
      summary: 'A VM waits for host CPUs.',
      description:
        'VM {{ $labels.domain }} on {{ $labels.instance }} spent {{ $value | humanizePercentage }} of the time it wanted to run waiting for a host CPU: the host\'s vCPU overcommit is slowing it down.',
    },
    {
      name: 'VMHostLibvirtDown',
      severity: 'warning',
      // Only hosts where libvirt answered within the last day: an OBS worker host without
      // libvirt reports its libvirt source down all the time and must stay silent.
      expr: `${libvirtUp} == 0 and max_over_time(${libvirtUp}[1d]) == 1`,
      summary: 'The libvirt daemon stopped answering on a VM host.',
      description:
        'libvirt on {{ $labels.instance }} stopped answering: its domains are no longer counted, so the VM density figures of this host are incomplete.',
    },
  ];
  return { name: 'headroom-vmhost', rules: specs.map((a) => rule(cfg, a)) };
}

function backupAlerts(cfg: AlertsConfig): RuleGroup {
  const s = cfg.selectors;
  const backup = (metric: string) => select(metric, s.headroom, s.backup);
  const specs: AlertSpec[] = [
    {
      name: 'BackupStale',
      severity: 'critical',
      expr: `${RECORDED_BACKUP_AGE} > ignoring (kind) group_left () ${backup(backupMaxAge.name)}`,
      summary: 'A backup is older than its max_age.',
      description:
        'The newest backup of target {{ $labels.target }} ({{ $labels.kind }}) on {{ $labels.instance }} is {{ $value | humanizeDuration }} old, older than its max_age.',
    },
    {
      name: 'BackupNeverSucceeded',
      severity: 'warning',
      // max_age is there from startup; last_success only once a read worked.
      expr: `${backup(backupMaxAge.name)} unless ignoring (kind) ${backup(backupLastSuccess.name)}`,
      summary: 'No backup of a target has been seen since headroom started.',
      description:
        'headroom on {{ $labels.instance }} has not once read a backup of target {{ $labels.target }}: its freshness is unknown and BackupStale cannot fire for it.',
    },
    {
      name: 'BackupCheckFailing',
      severity: 'warning',
      expr: `${select(sourceUp.name, s.headroom, 'collector="backup"', asSourceMatchers(s.backup, 'target'))} == 0`,
      summary: 'Reading a backup target fails.',
      description:
        'headroom on {{ $labels.instance }} cannot read backup target {{ $labels.source }}; its age is from the last good read (the reason is on the status page).',
    },
    {
      name: 'BackupRepositoryLocked',
      severity: 'warning',
      // A backup or prune holds a lock while it runs; one held past the `for` window is left over.
      expr: `${backup(backupRepositoryLocks.name)} > 0`,
      summary: 'A backup repository has been locked for hours.',
      description:
        'The repository of backup target {{ $labels.target }} on {{ $labels.instance }} has held {{ $value }} lock(s) for hours: a crashed backup or prune left it, and the next backups will fail on it.',
    },
    ...slowTestAlerts(cfg, backupIntegrityCheck, {
      failing: 'BackupIntegrityCheckFailing',
      overdue: 'BackupIntegrityCheckOverdue',
      what: 'integrity check',
      damage: 'the repository may be damaged: the newest backups may not be restorable',
    }),
    ...slowTestAlerts(cfg, backupRestoreTest, {
      failing: 'BackupRestoreTestFailing',
      overdue: 'BackupRestoreTestOverdue',
      what: 'restore test',
      damage: 'the configured path could not be restored from the newest backup as the backup lists it',
    }),
    {
      name: 'BackupHostsUncovered',
      severity: 'warning',
      expr: RECORDED_BACKUP_UNCOVERED_HOSTS,
      summary: 'A host of the estate is covered by no backup target.',
      description: 'Host {{ $labels.instance }} is in the estate but no backup target lists it in covers.hosts: nothing says it is backed up.',
    },
    {
      name: 'BackupVMsUncovered',
      severity: 'warning',
      expr: RECORDED_BACKUP_UNCOVERED_VMS,
      summary: 'A VM is covered by no backup target.',
      description: 'VM {{ $labels.domain }} on {{ $labels.instance }} is covered by no backup target (covers.vms): nothing says it is backed up.',
    },
    {
      name: 'BackupShrunk',
      severity: 'warning',
      expr: `${RECORDED_BACKUP_SIZE_OVER_MEDIAN} < ${cfg.thresholds.backupShrunkRatio}`,
      summary: 'The newest backup is much smaller than the usual ones.',
      description:
        'The newest backup of target {{ $labels.target }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} of the median size of the last 8 days: a backup that ran but saved almost nothing.',
    },
  ];
  return { name: 'headroom-backup', rules: [...backupRecordingRules(cfg), ...specs.map((a) => rule(cfg, a))] };
}

/** Failing and overdue alerts of a slow backup test; both shapes are the same for checks and restores. */
function slowTestAlerts(
  cfg: AlertsConfig,
  m: PeriodicTestMetrics,
  a: { failing: AlertName; overdue: AlertName; what: string; damage: string },
): AlertSpec[] {
  const s = cfg.selectors;
  const backup = (metric: string) => select(metric, s.headroom, s.backup);
  const started = `(time() - ${select('process_start_time_seconds', s.headroomJob)})`;
  return [
    {
      name: a.failing,
      severity: 'critical',
      expr: `${backup(m.success.name)} == 0`,
      summary: `A backup ${a.what} failed.`,
      description: `The last ${a.what} of backup target {{ $labels.target }} on {{ $labels.instance }} failed: ${a.damage} (the reason is in headroom's log and status page).`,
    },
    {
      name: a.overdue,
      severity: 'warning',
      // Ran, but not within twice its interval (skipped again and again, or stuck); or never
      // ran although the exporter has been up for twice the interval.
      expr:
        `time() - ${backup(m.lastRun.name)} > 2 * ${backup(m.interval.name)}` +
        ` or (2 * ${backup(m.interval.name)} < on (instance, job) group_left () ${started} unless on (instance, job, target) ${backup(m.lastRun.name)})`,
      summary: `A backup ${a.what} has not run for twice its interval.`,
      description: `The ${a.what} of backup target {{ $labels.target }} on {{ $labels.instance }} has not completed for more than twice its interval: the repository may be locked every time it is tried (see headroom_backup_*_skipped).`,
    },
  ];
}

function exporterAlerts(cfg: AlertsConfig): RuleGroup {
  const s = cfg.selectors;
  const specs: AlertSpec[] = [
    {
      name: 'HeadroomCollectorFailing',
      severity: 'warning',
      expr: `${select(collectorSuccess.name, s.headroom)} == 0`,
      summary: 'A headroom collector is failing.',
      description:
        'The {{ $labels.collector }} collector of headroom on {{ $labels.instance }} is failing; its series keep their last good values.',
    },
    {
      name: 'HeadroomExporterDown',
      severity: 'critical',
      expr: `${select('up', s.headroomJob)} == 0`,
      summary: 'Prometheus cannot scrape a headroom exporter.',
      description:
        'Prometheus cannot scrape headroom at {{ $labels.instance }} (job {{ $labels.job }}): the alerts for that host are blind.',
    },
  ];
  return { name: 'headroom-exporter', rules: specs.map((a) => rule(cfg, a)) };
}

export function alertGroups(cfg: AlertsConfig): RuleGroup[] {
  return [obsAlerts(cfg), workerAlerts(cfg), vmhostAlerts(cfg), backupAlerts(cfg), exporterAlerts(cfg)];
}
