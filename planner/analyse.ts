// From fetched series to the report's findings. Pure: no I/O, no clock (the window's end is "now").
import { backupStaleness, forecastExhaustion, type Forecast, type StaleBackup } from './forecast.js';
import type { PlannerData } from './queries.js';
import { proposeRebalance, type DomainInput, type RebalanceProposal, type VmHostInput } from './rebalance.js';
import { byLabel, hostName, hostOf, lastValue, type Series, type Window } from './series.js';
import { analyseWorkerHost, summariseWorkers, type WorkerEstate } from './workers.js';

export interface PlannerOptions {
  readonly churnBudgetBytesPerSecond: number;
  readonly pinned: Readonly<Record<string, string>>;
  readonly maxMoves: number;
  readonly nodeLimit?: number;
}

export interface Report {
  readonly generatedFor: Window;
  readonly options: PlannerOptions;
  readonly workers: WorkerEstate | null;
  readonly vmhosts: RebalanceProposal | null;
  readonly forecasts: readonly Forecast[];
  readonly staleBackups: readonly StaleBackup[];
  readonly backupTargetsSeen: number;
  /** What the window lacked, section by section (the report prints it; the CLI warns). */
  readonly missing: readonly string[];
}

/** The window held nothing the planner can use; `missing` names each absent series. */
export class TooLittleDataError extends Error {
  constructor(readonly window: Window, readonly missing: readonly string[]) {
    super(
      `the window ${new Date(window.start * 1000).toISOString()} .. ${new Date(window.end * 1000).toISOString()} holds too little data to plan anything:\n` +
        missing.map((m) => `  - ${m}`).join('\n'),
    );
    this.name = 'TooLittleDataError';
  }
}

/** A worker host needs this many (load, churn) points before it is analysed. */
export const MIN_WORKER_POINTS = 30;

const byInstance = (series: readonly Series[]) => byLabel(series, 'instance');

function workerSection(d: PlannerData, opts: PlannerOptions, missing: string[]): WorkerEstate | null {
  const load = byInstance(d.load);
  const churn = byInstance(d.churn);
  // Hosts without the worker collector's tmpfs_mounts: OBS' building count for the same host name.
  const obsByHost = byLabel(d.obsBuilding, 'host');
  const hosts = new Set([...load.keys(), ...byInstance(d.instances).keys()]);
  for (const inst of churn.keys()) if (obsByHost.has(hostName(inst))) hosts.add(inst);
  const instances = byInstance(d.instances);
  const ram = byInstance(d.ram);
  const swap = byInstance(d.swap);
  const overcommit = byInstance(d.overcommit);
  const perInstance = byInstance(d.tmpfsPerInstance);
  const findings = [...hosts].sort().map((host) =>
    analyseWorkerHost(
      {
        host,
        load: load.get(host) ?? obsByHost.get(hostName(host)),
        churn: churn.get(host),
        tmpfsPerInstance: perInstance.get(host),
        instances: lastValue(instances.get(host)),
        ramBytes: lastValue(ram.get(host)),
        swapBytes: lastValue(swap.get(host)),
        overcommitRatio: lastValue(overcommit.get(host)),
      },
      opts.churnBudgetBytesPerSecond,
    ),
  );
  if (hosts.size === 0) {
    missing.push('worker hosts: no headroom_tmpfs_mounts / headroom_worker_instances series (worker collector) in the window');
  }
  if (d.churn.length === 0) missing.push('worker hosts: no headroom_swap_in_bytes_total / headroom_swap_out_bytes_total series (swap collector) in the window');
  for (const f of findings) {
    if (f.points.length < MIN_WORKER_POINTS) {
      missing.push(`worker host ${f.host}: only ${f.points.length} points with both load and swap churn (need ${MIN_WORKER_POINTS})`);
    }
  }
  const enough = findings.filter((f) => f.points.length >= MIN_WORKER_POINTS && f.levels.length > 0);
  return enough.length ? summariseWorkers(enough) : null;
}

function vmSection(d: PlannerData, opts: PlannerOptions, missing: string[]): RebalanceProposal | null {
  const cpus = byInstance(d.vmCpus);
  const memory = byInstance(d.vmMemory);
  if (memory.size === 0) {
    missing.push('VM hosts: no headroom_vmhost_memory_bytes series (vmhost collector) at the end of the window');
    return null;
  }
  if (d.domainMemory.length === 0) {
    missing.push('VM hosts: no headroom_vmhost_domain_memory_bytes series: set per_domain: true in the vmhost collector');
    return null;
  }
  const fixedVcpus = byInstance(d.vmFixedVcpus);
  const fixedMemory = byInstance(d.vmFixedMemory);
  const hosts: VmHostInput[] = [...memory.keys()].sort().map((host) => ({
    host,
    cpus: lastValue(cpus.get(host)) ?? 0,
    memoryBytes: lastValue(memory.get(host)) ?? 0,
    fixedVcpus: lastValue(fixedVcpus.get(host)) ?? 0,
    fixedMemoryBytes: lastValue(fixedMemory.get(host)) ?? 0,
  }));
  const key = (s: Series) => `${hostOf(s)}\u0000${s.labels['domain'] ?? ''}`;
  const vcpus = new Map(d.domainVcpus.map((s) => [key(s), lastValue(s) ?? 0]));
  const shutoff = new Map(d.domainShutoff.map((s) => [key(s), lastValue(s) ?? 0]));
  const domains: DomainInput[] = d.domainMemory
    .map((s) => ({
      host: hostOf(s),
      name: s.labels['domain'] ?? '',
      memoryBytes: lastValue(s) ?? 0,
      vcpus: vcpus.get(key(s)) ?? 0,
      active: shutoff.get(key(s)) !== 1,
    }))
    .sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name));
  if (hosts.length < 2) missing.push(`VM hosts: only ${hosts.length} VM host in the data: nothing to rebalance between`);
  return proposeRebalance(hosts, domains, { maxMoves: opts.maxMoves, pinned: opts.pinned, nodeLimit: opts.nodeLimit });
}

function forecasts(d: PlannerData): Forecast[] {
  const now = d.window.end;
  const out: Forecast[] = [];
  const latestBy = (series: readonly Series[], label?: string) =>
    new Map(series.map((s) => [`${hostOf(s)}\u0000${label ? s.labels[label] ?? '' : ''}`, lastValue(s)]));
  const vmMem = latestBy(d.vmMemory);
  for (const s of d.trendVmAllocated) {
    const cap = vmMem.get(`${hostOf(s)}\u0000`);
    if (cap) out.push(forecastExhaustion({ kind: 'ram', host: hostOf(s), resource: 'VM memory allocated', unit: 'bytes' }, s, cap, now));
  }
  const ram = latestBy(d.ram);
  for (const s of d.trendTmpfsPeak) {
    const cap = ram.get(`${hostOf(s)}\u0000`);
    // A daily peak is only a full day's peak one day into the window: earlier points see less.
    const fullDays = { labels: s.labels, points: s.points.filter(([t]) => t >= d.window.start + 86400) };
    if (cap) out.push(forecastExhaustion({ kind: 'ram', host: hostOf(s), resource: 'daily peak tmpfs use', unit: 'bytes' }, fullDays, cap, now));
  }
  for (const s of d.trendOvercommit) {
    out.push(forecastExhaustion({ kind: 'tmpfs promise', host: hostOf(s), resource: 'promise / (RAM + swap)', unit: 'ratio' }, s, 1, now));
  }
  const diskSize = latestBy(d.diskSize, 'mountpoint');
  for (const s of d.trendDiskUsed) {
    const cap = diskSize.get(`${hostOf(s)}\u0000${s.labels['mountpoint'] ?? ''}`);
    if (cap) out.push(forecastExhaustion({ kind: 'disk', host: hostOf(s), resource: s.labels['mountpoint'] ?? '', unit: 'bytes' }, s, cap, now));
  }
  const endurance = latestBy(d.ssdEndurance, 'device');
  const withEndurance = new Set<string>();
  for (const s of d.trendSsdWritten) {
    const k = `${hostOf(s)}\u0000${s.labels['device'] ?? ''}`;
    const cap = endurance.get(k);
    if (!cap) continue;
    withEndurance.add(k);
    out.push(forecastExhaustion({ kind: 'ssd endurance', host: hostOf(s), resource: `${s.labels['device'] ?? ''} bytes written`, unit: 'bytes' }, s, cap, now));
  }
  for (const s of d.trendSsdWear) {
    const k = `${hostOf(s)}\u0000${s.labels['device'] ?? ''}`;
    if (withEndurance.has(k)) continue;
    out.push(forecastExhaustion({ kind: 'ssd endurance', host: hostOf(s), resource: `${s.labels['device'] ?? ''} wear`, unit: 'ratio' }, s, 1, now));
  }
  const order = (f: Forecast) => (f.status === 'exhausted' ? 0 : f.status === 'runs out' ? 1 : f.status === 'not running out' ? 2 : 3);
  return out.sort((a, b) => order(a) - order(b) || (a.runOut ?? Infinity) - (b.runOut ?? Infinity) || a.host.localeCompare(b.host));
}

export function analyse(d: PlannerData, opts: PlannerOptions): Report {
  const missing: string[] = [];
  const workers = workerSection(d, opts, missing);
  const vmhosts = vmSection(d, opts, missing);
  const fc = forecasts(d);
  const maxAges = new Map(d.backupMaxAge.map((s) => [`${hostOf(s)}\u0000${s.labels['target'] ?? ''}`, s]));
  const staleBackups: StaleBackup[] = [];
  for (const s of d.backupLast) {
    const target = s.labels['target'] ?? '';
    const max = maxAges.get(`${hostOf(s)}\u0000${target}`);
    if (!max) continue;
    const stale = backupStaleness(target, s, max, d.window.step);
    if (stale) staleBackups.push(stale);
  }
  if (d.backupLast.length === 0) missing.push('backups: no headroom_backup_last_success_timestamp_seconds series (backup collector) in the window');
  if (fc.length === 0) missing.push('forecasts: none of headroom_vmhost_memory_allocated_bytes, headroom_tmpfs_used_bytes, headroom_memory_overcommit_ratio, node_filesystem_*, headroom_ssd_* in the window');
  if (!workers && !vmhosts && fc.every((f) => f.status === 'too little data') && d.backupLast.length === 0) {
    throw new TooLittleDataError(d.window, missing);
  }
  return {
    generatedFor: d.window,
    options: opts,
    workers,
    vmhosts,
    forecasts: fc,
    staleBackups: staleBackups.sort((a, b) => b.staleSeconds - a.staleSeconds),
    backupTargetsSeen: d.backupLast.length,
    missing,
  };
}
