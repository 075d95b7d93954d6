// Recording rules: the expressions that dashboards and alerts share, computed once per
// evaluation. Names follow the mixin convention level:metric:operations. The dashboards import
// the RECORDED_* constants, so a renamed series breaks their build, not a panel.
//
// Each domain's records are rendered at the head of that domain's alert group: rules of one
// group run in order, while groups run independently (Prometheus evaluates them concurrently),
// so an alert in the same group always reads this evaluation's recorded value.
import { covers as backupCovers, lastSuccess as backupLastSuccess, maxAge as backupMaxAge, newestSize as backupNewestSize } from '../exporters/backup/metrics.js';
import { domainState as vmhostDomainState } from '../exporters/vmhost/metrics.js';
import { obsJobsWaiting, obsWorkers } from '../exporters/obs/metrics.js';
import { swapMetrics } from '../exporters/swap/metrics.js';
import { type AlertsConfig, select } from './config.js';
import type { RecordingRule } from './types.js';

/** Jobs waiting per OBS instance, summed over scheduler architectures. Labels: obs (+ job, instance). */
export const RECORDED_OBS_JOBS_WAITING = 'obs:headroom_obs_jobs_waiting:sum';
/** Workers per OBS instance and state, summed over host architectures. Labels: obs, state. */
export const RECORDED_OBS_WORKERS_BY_STATE = 'obs_state:headroom_obs_workers:sum';
/** Share of an OBS instance's workers of one host architecture that are dead or down. Labels: obs, hostarch. */
export const RECORDED_OBS_WORKERS_UNAVAILABLE_RATIO = 'obs_hostarch:headroom_obs_workers_unavailable:ratio';
/** Bytes per second swapped in / out on a host, over windows.rate. */
export const RECORDED_SWAP_IN_RATE = 'instance:headroom_swap_in_bytes:rate';
export const RECORDED_SWAP_OUT_RATE = 'instance:headroom_swap_out_bytes:rate';
/** Share of a host's swap space in use, all swap areas together (0..1). */
export const RECORDED_SWAP_USED_RATIO = 'instance:headroom_swap_used:ratio';
/** Bytes per second written to an SSD over windows.ssdWriteRate (from SMART). Labels: device. */
export const RECORDED_SSD_WRITE_RATE = 'instance_device:headroom_ssd_written_bytes:rate';
/**
 * Seconds until an SSD reaches its rated endurance at the current write rate: from the
 * configured endurance (TBW) where there is one, else extrapolated from the wear indicator.
 * Labels: device.
 */
export const RECORDED_SSD_WEAR_OUT_SECONDS = 'instance_device:headroom_ssd_wear_out_seconds:forecast';
/** Age of a backup target's newest backup in seconds. Labels: target, kind. */
export const RECORDED_BACKUP_AGE = 'target:headroom_backup_age:seconds';
/** Age of a target's newest backup over its max_age: above 1 it is overdue. Labels: target, kind. */
export const RECORDED_BACKUP_AGE_OVER_MAX_AGE = 'target:headroom_backup_age_over_max_age:ratio';

/** Newest backup's size over the median size of the last 8 days (below 1: smaller than usual). Labels: target. */
export const RECORDED_BACKUP_SIZE_OVER_MEDIAN = 'target:headroom_backup_newest_size_over_median:ratio';
/** 1 per estate host (instance of the headroom scrape job) that no backup target covers. Labels: instance. */
export const RECORDED_BACKUP_UNCOVERED_HOSTS = 'instance:headroom_backup_uncovered_hosts:count';
/** 1 per libvirt domain the vmhost collectors see that no backup target covers. Labels: domain, instance (its VM host). */
export const RECORDED_BACKUP_UNCOVERED_VMS = 'domain:headroom_backup_uncovered_vms:count';

/** OBS: read by OBSQueueBacklog and OBSWorkersDown, and by the OBS dashboard. */
export function obsRecordingRules(cfg: AlertsConfig): RecordingRule[] {
  const s = cfg.selectors;
  const obs = (metric: string, ...m: string[]) => select(metric, s.headroom, s.obs, ...m);
  return [
    { record: RECORDED_OBS_JOBS_WAITING, expr: `sum without (arch) (${obs(obsJobsWaiting.name)})` },
    { record: RECORDED_OBS_WORKERS_BY_STATE, expr: `sum without (hostarch) (${obs(obsWorkers.name)})` },
    {
      record: RECORDED_OBS_WORKERS_UNAVAILABLE_RATIO,
      expr: `sum without (state) (${obs(obsWorkers.name, 'state=~"dead|down"')}) / sum without (state) (${obs(obsWorkers.name)})`,
    },
  ];
}

/** Swap and SSD: read by the swap and SSD alerts and the tmpfs/capacity dashboards. */
export function swapRecordingRules(cfg: AlertsConfig): RecordingRule[] {
  const s = cfg.selectors;
  const swap = (metric: string) => select(metric, s.headroom, s.swap);
  const { swapIn, swapOut, deviceUsed, deviceSize, ssdWritten, ssdEndurance, ssdWearUsed } = swapMetrics;
  return [
    { record: RECORDED_SWAP_IN_RATE, expr: `rate(${swap(swapIn.name)}[${cfg.windows.rate}])` },
    { record: RECORDED_SWAP_OUT_RATE, expr: `rate(${swap(swapOut.name)}[${cfg.windows.rate}])` },
    {
      record: RECORDED_SWAP_USED_RATIO,
      expr: `sum without (device) (${swap(deviceUsed.name)}) / sum without (device) (${swap(deviceSize.name)} > 0)`,
    },
    { record: RECORDED_SSD_WRITE_RATE, expr: `rate(${swap(ssdWritten.name)}[${cfg.windows.ssdWriteRate}])` },
    {
      record: RECORDED_SSD_WEAR_OUT_SECONDS,
      // Bytes left to the rated endurance over the write rate; without a configured endurance,
      // the bytes written so far scaled by the unused share of the wear indicator (wear > 0 only).
      expr:
        `(${swap(ssdEndurance.name)} - ${swap(ssdWritten.name)}) / ${RECORDED_SSD_WRITE_RATE}` +
        ` or ` +
        `(${swap(ssdWritten.name)} * (1 - ${swap(ssdWearUsed.name)}) / (${swap(ssdWearUsed.name)} > 0)) / ${RECORDED_SSD_WRITE_RATE}`,
    },
  ];
}

/** Backups: read by BackupStale and the backups dashboard. */
export function backupRecordingRules(cfg: AlertsConfig): RecordingRule[] {
  const s = cfg.selectors;
  const backup = (metric: string) => select(metric, s.headroom, s.backup);
  const covers = (kind: string) => select(backupCovers.name, s.headroom, s.backup, `kind="${kind}"`);
  /** The names a kind of coverage lists, under the label the covered series carry. */
  const coveredAs = (kind: string, label: string) => `label_replace(group by (name) (${covers(kind)}), "${label}", "$1", "name", "(.*)")`;
  const anyCoverage = `count(${select(backupCovers.name, s.headroom, s.backup)}) > 0`;
  return [
    { record: RECORDED_BACKUP_AGE, expr: `time() - ${backup(backupLastSuccess.name)}` },
    {
      record: RECORDED_BACKUP_AGE_OVER_MAX_AGE,
      expr: `${RECORDED_BACKUP_AGE} / ignoring (kind) group_left () ${backup(backupMaxAge.name)}`,
    },
    {
      // The gauge holds each backup's size until the next one: over 8 days of daily backups the
      // median is the typical size, and a single small newest backup cannot move it.
      record: RECORDED_BACKUP_SIZE_OVER_MEDIAN,
      expr: `${backup(backupNewestSize.name)} / quantile_over_time(0.5, ${backup(backupNewestSize.name)}[8d])`,
    },
    // Coverage is computed here, not in a collector: hosts come from the estate's scrape job
    // (headroom generate names every host's series instance=<host>), VMs from the vmhost
    // collectors' per-domain series, coverage from the backup collectors; each stays independent.
    // Silent until some target declares what it covers.
    {
      record: RECORDED_BACKUP_UNCOVERED_HOSTS,
      expr: `(group by (instance) (${select('up', s.headroomJob)}) unless on (instance) ${coveredAs('host', 'instance')}) and on () ${anyCoverage}`,
    },
    {
      record: RECORDED_BACKUP_UNCOVERED_VMS,
      expr: `(group by (domain, instance) (${select(vmhostDomainState.name, s.headroom, s.vmhost)}) unless on (domain) ${coveredAs('vm', 'domain')}) and on () ${anyCoverage}`,
    },
  ];
}

/** Every recording rule, for readers that want the list (each is rendered in its alert group). */
export function recordingRules(cfg: AlertsConfig): RecordingRule[] {
  return [...obsRecordingRules(cfg), ...swapRecordingRules(cfg), ...backupRecordingRules(cfg)];
}
