// Fetching: the PromQL the planner runs and the plain data it hands to the analysis. Metric
// names come from the exporters' catalogs, so a renamed metric breaks this build.
import { obsHostJobDuration, obsJobsFinished, obsWorkerHostInstances } from '../exporters/obs/metrics.js';
import { pressureMetrics } from '../exporters/pressure/metrics.js';
import { swapMetrics } from '../exporters/swap/metrics.js';
import { hostCpus, hostMemory, memoryAllocated, qemuMemory, qemuVcpus, domainMemory, domainState, domainVcpus } from '../exporters/vmhost/metrics.js';
import { workerMetrics } from '../exporters/worker/metrics.js';
import { lastSuccess, maxAge } from '../exporters/backup/metrics.js';
import type { BudgetKind } from './budget.js';
import type { PrometheusClient } from './prometheus-api.js';
import type { Series, Window } from './series.js';
import { rateRange } from './step.js';

/** node_exporter's filesystem series (not headroom's): the disk forecast uses them when present. */
export const NODE_FS_SIZE = 'node_filesystem_size_bytes';
export const NODE_FS_AVAIL = 'node_filesystem_avail_bytes';
/**
 * Seconds in which every non-idle task waited for memory (PSI "full"), a counter from the
 * pressure collector: its rate is the share of time stalled.
 */
export const MEMORY_STALLED = pressureMetrics.memoryStalled.name;
/**
 * The cumulative build-time buckets per worker host (`le` label) that histogram_quantile()
 * reads. Should the catalog turn them into a histogram MetricDef, its bucket series is
 * `${name}_bucket`: this line is the one to change.
 */
export const HOST_BUILD_TIME_BUCKETS = `${obsHostJobDuration.name}_bucket`;
const REAL_FILESYSTEMS = '{fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|fuse.*"}';

export interface PlannerData {
  readonly window: Window;
  /** The coarser window trends are fitted on. */
  readonly trendWindow: Window;
  readonly load: Series[];
  readonly obsBuilding: Series[];
  readonly churn: Series[];
  /** Jobs finished per hour per OBS worker host (`host` label). */
  readonly jobsPerHour: Series[];
  /** Median build time per OBS worker host, seconds. */
  readonly medianBuildTime: Series[];
  readonly tmpfsPerInstance: Series[];
  readonly instances: Series[];
  readonly ram: Series[];
  readonly swap: Series[];
  readonly overcommit: Series[];
  readonly vmCpus: Series[];
  readonly vmMemory: Series[];
  readonly vmFixedVcpus: Series[];
  readonly vmFixedMemory: Series[];
  readonly domainVcpus: Series[];
  readonly domainMemory: Series[];
  readonly domainShutoff: Series[];
  /** Every (host, domain) seen within the move-back guard before the window's end: one point each. */
  readonly domainRecent: Series[];
  readonly trendVmAllocated: Series[];
  readonly trendTmpfsPeak: Series[];
  readonly trendOvercommit: Series[];
  readonly trendDiskUsed: Series[];
  readonly diskSize: Series[];
  readonly trendSsdWritten: Series[];
  readonly ssdEndurance: Series[];
  readonly trendSsdWear: Series[];
  readonly backupLast: Series[];
  readonly backupMaxAge: Series[];
}

type QueryKey = Exclude<keyof PlannerData, 'window' | 'trendWindow'>;
/** window: the whole window at its step; trend: hourly; latest: the last hour; end: the end alone. */
type Span = 'window' | 'trend' | 'latest' | 'end';

export interface PlannedQuery {
  readonly key: QueryKey;
  readonly query: string;
  readonly span: Span;
  /** What it is for, for the progress line and "missing" messages. */
  readonly about: string;
}

export interface QueryOptions {
  readonly budget: BudgetKind;
  /** The move-back guard in seconds; 0 asks nothing. */
  readonly moveBackGuardSeconds: number;
}

export function plannerQueries(step: number, opts: QueryOptions): PlannedQuery[] {
  const r = rateRange(step);
  const w = workerMetrics;
  const s = swapMetrics;
  return [
    { key: 'load', span: 'window', about: 'building instances per worker host', query: `avg by (instance) (avg_over_time(${w.tmpfsMounts.name}[${r}]))` },
    { key: 'obsBuilding', span: 'window', about: 'building instances per worker host, from OBS', query: `sum by (host) (avg_over_time(${obsWorkerHostInstances.name}{state="building"}[${r}]))` },
    { key: 'jobsPerHour', span: 'window', about: 'jobs finished per hour per worker host, from OBS', query: `sum by (host) (rate(${obsJobsFinished.name}[${r}])) * 3600` },
    { key: 'medianBuildTime', span: 'window', about: 'median build time per worker host, from OBS', query: `histogram_quantile(0.5, sum by (host, le) (rate(${HOST_BUILD_TIME_BUCKETS}[${r}])))` },
    opts.budget === 'swap churn'
      ? { key: 'churn', span: 'window', about: 'swap churn per host', query: `sum by (instance) (rate(${s.swapIn.name}[${r}])) + sum by (instance) (rate(${s.swapOut.name}[${r}]))` }
      : { key: 'churn', span: 'window', about: 'memory stall time per host', query: `max by (instance) (rate(${MEMORY_STALLED}[${r}]))` },
    { key: 'tmpfsPerInstance', span: 'window', about: 'tmpfs held per building instance', query: `max by (instance) (${w.tmpfsUsed.name} / (${w.tmpfsMounts.name} > 0))` },
    { key: 'instances', span: 'latest', about: 'configured worker instances', query: `max by (instance) (${w.instances.name})` },
    { key: 'ram', span: 'latest', about: 'worker RAM', query: `max by (instance) (${w.ram.name})` },
    { key: 'swap', span: 'latest', about: 'worker swap', query: `max by (instance) (${w.swap.name})` },
    { key: 'overcommit', span: 'latest', about: 'worker memory promise', query: `max by (instance) (${w.overcommit.name})` },
    { key: 'vmCpus', span: 'latest', about: 'VM host CPUs', query: `max by (instance) (${hostCpus.name})` },
    { key: 'vmMemory', span: 'latest', about: 'VM host memory', query: `max by (instance) (${hostMemory.name})` },
    { key: 'vmFixedVcpus', span: 'latest', about: 'unmanaged qemu vCPUs', query: `max by (instance) (${qemuVcpus.name})` },
    { key: 'vmFixedMemory', span: 'latest', about: 'unmanaged qemu memory', query: `max by (instance) (${qemuMemory.name})` },
    { key: 'domainVcpus', span: 'latest', about: 'vCPUs per libvirt domain', query: `max by (instance, domain) (${domainVcpus.name})` },
    { key: 'domainMemory', span: 'latest', about: 'memory per libvirt domain', query: `max by (instance, domain) (${domainMemory.name})` },
    { key: 'domainShutoff', span: 'latest', about: 'shut-off libvirt domains', query: `max by (instance, domain) (${domainState.name}{state="shutoff"})` },
    ...(opts.moveBackGuardSeconds > 0
      ? [{ key: 'domainRecent' as const, span: 'end' as const, about: 'where each libvirt domain ran recently', query: `max by (instance, domain) (max_over_time(${domainMemory.name}[${opts.moveBackGuardSeconds}s]))` }]
      : []),
    { key: 'trendVmAllocated', span: 'trend', about: 'VM host memory allocated', query: `max by (instance) (${memoryAllocated.name})` },
    { key: 'trendTmpfsPeak', span: 'trend', about: 'daily peak tmpfs use', query: `max by (instance) (max_over_time(${w.tmpfsUsed.name}[1d]))` },
    { key: 'trendOvercommit', span: 'trend', about: 'tmpfs + VM memory promise over RAM + swap', query: `max by (instance) (${w.overcommit.name})` },
    { key: 'trendDiskUsed', span: 'trend', about: 'disk use (node_exporter)', query: `max by (instance, mountpoint) (${NODE_FS_SIZE}${REAL_FILESYSTEMS} - ${NODE_FS_AVAIL}${REAL_FILESYSTEMS})` },
    { key: 'diskSize', span: 'latest', about: 'disk size (node_exporter)', query: `max by (instance, mountpoint) (${NODE_FS_SIZE}${REAL_FILESYSTEMS})` },
    { key: 'trendSsdWritten', span: 'trend', about: 'SSD bytes written', query: `max by (instance, device) (${s.ssdWritten.name})` },
    { key: 'ssdEndurance', span: 'latest', about: 'SSD rated endurance', query: `max by (instance, device) (${s.ssdEndurance.name})` },
    { key: 'trendSsdWear', span: 'trend', about: 'SSD wear', query: `max by (instance, device) (${s.ssdWearUsed.name})` },
    { key: 'backupLast', span: 'window', about: 'newest backup per target', query: `max by (instance, target) (${lastSuccess.name})` },
    { key: 'backupMaxAge', span: 'window', about: 'backup max_age per target', query: `max by (instance, target) (${maxAge.name})` },
  ];
}

/**
 * The coarser resolution trends are fitted on: hourly or the window's step, whichever is
 * coarser. Its start is aligned so the last point falls on the window's end: the forecast's
 * "now" is the state at the end, not up to an hour before it.
 */
export function trendWindowOf(window: Window): Window {
  const step = Math.max(window.step, 3600);
  return { start: window.end - Math.floor((window.end - window.start) / step) * step, end: window.end, step };
}

/** The last hour of the window: "latest" values come from there, so removed domains drop out. */
export function latestWindowOf(window: Window): Window {
  const step = Math.min(window.step, 300);
  return { start: Math.max(window.start, window.end - 3600), end: window.end, step };
}

export type Progress = (done: number, total: number, about: string) => void;

/** Runs every query one after the other (one Prometheus, gently), reporting progress. */
export async function fetchPlannerData(client: PrometheusClient, window: Window, opts: QueryOptions, progress: Progress = () => {}): Promise<PlannerData> {
  const queries = plannerQueries(window.step, opts);
  const trendWindow = trendWindowOf(window);
  const latest = latestWindowOf(window);
  const out: Partial<Record<QueryKey, Series[]>> = { domainRecent: [] };
  let done = 0;
  for (const q of queries) {
    progress(done, queries.length, q.about);
    const span = q.span === 'window' ? window : q.span === 'trend' ? trendWindow : q.span === 'latest' ? latest : { ...window, start: window.end };
    out[q.key] = await client.queryRange(q.query, span);
    done++;
  }
  progress(done, queries.length, 'done');
  return { window, trendWindow, ...(out as Record<QueryKey, Series[]>) };
}
