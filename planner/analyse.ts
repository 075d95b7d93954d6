// From fetched series to the report's findings. Pure: no I/O, no clock (the window's end is "now").
import { backupStaleness, forecastExhaustion, type Forecast, type StaleBackup } from './forecast.js';
import type { PlannerData } from './queries.js';
import { proposeRebalance, type DomainInput, type RebalanceProposal, type VmHostInput } from './rebalance.js';
import type { Budget } from './budget.js';
import { formatDate } from './format.js';
import { byLabel, hostName, hostOf, lastTime, lastValue, type Series, type Window } from './series.js';
import { analyseThroughput, type ThroughputFinding } from './throughput.js';
import { analyseWorkerHost, summariseWorkers, type WorkerEstate } from './workers.js';

export interface PlannerOptions {
  /** What worker hosts are budgeted on: swap churn (default) or memory stall time. */
  readonly budget: Budget;
  readonly pinned: Readonly<Record<string, string>>;
  readonly maxMoves: number;
  readonly nodeLimit?: number;
  /** Memory overcommit every VM host should stay within. */
  readonly overcommitTarget: number;
  /** OBS worker host name → its Prometheus instance (or that instance's host name), where they differ. */
  readonly obsWorkerHosts?: Readonly<Record<string, string>>;
}

export interface Report {
  readonly generatedFor: Window;
  readonly options: PlannerOptions;
  readonly workers: WorkerEstate | null;
  /** Jobs/h and build time against building instances, per OBS worker host. */
  readonly throughput: readonly ThroughputFinding[];
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

/**
 * The OBS worker host name an instance stands for: the one planner.obs_worker_hosts maps to it
 * (by instance or its host name), else its host name (`w1:9847` → `w1`).
 */
export function obsHostOf(instance: string, mapping: Readonly<Record<string, string>> = {}): string {
  for (const [obsHost, target] of Object.entries(mapping)) if (target === instance || target === hostName(instance)) return obsHost;
  return hostName(instance);
}

function workerSection(d: PlannerData, opts: PlannerOptions, missing: string[]): WorkerEstate | null {
  const load = byInstance(d.load);
  const churn = byInstance(d.churn);
  // Hosts without the worker collector's tmpfs_mounts: OBS' building count for the same host name.
  const obsByHost = byLabel(d.obsBuilding, 'host');
  const hosts = new Set([...load.keys(), ...byInstance(d.instances).keys()]);
  const obsHost = (inst: string) => obsHostOf(inst, opts.obsWorkerHosts);
  for (const inst of churn.keys()) if (obsByHost.has(obsHost(inst))) hosts.add(inst);
  const instances = byInstance(d.instances);
  const ram = byInstance(d.ram);
  const swap = byInstance(d.swap);
  const overcommit = byInstance(d.overcommit);
  const perInstance = byInstance(d.tmpfsPerInstance);
  const findings = [...hosts].sort().map((host) =>
    analyseWorkerHost(
      {
        host,
        load: load.get(host) ?? obsByHost.get(obsHost(host)),
        churn: churn.get(host),
        tmpfsPerInstance: perInstance.get(host),
        instances: lastValue(instances.get(host)),
        ramBytes: lastValue(ram.get(host)),
        swapBytes: lastValue(swap.get(host)),
        overcommitRatio: lastValue(overcommit.get(host)),
      },
      opts.budget,
    ),
  );
  if (hosts.size === 0) {
    missing.push('worker hosts: no headroom_tmpfs_mounts / headroom_worker_instances series (worker collector) in the window');
  }
  if (d.churn.length === 0) {
    missing.push(
      opts.budget.kind === 'swap churn'
        ? 'worker hosts: no headroom_swap_in_bytes_total / headroom_swap_out_bytes_total series (swap collector) in the window'
        : 'worker hosts: no headroom_pressure_memory_stalled_seconds_total series (pressure collector) in the window',
    );
  }
  for (const f of findings) {
    if (f.points.length < MIN_WORKER_POINTS) {
      missing.push(`worker host ${f.host}: only ${f.points.length} points with both load and swap churn (need ${MIN_WORKER_POINTS})`);
    }
  }
  const enough = findings.filter((f) => f.points.length >= MIN_WORKER_POINTS && f.levels.length > 0);
  return enough.length ? summariseWorkers(enough) : null;
}

/** Per OBS worker host with finished jobs: throughput against building instances, beside its churn knee. */
function throughputSection(d: PlannerData, opts: PlannerOptions, workers: WorkerEstate | null, missing: string[]): ThroughputFinding[] {
  const jobs = byLabel(d.jobsPerHour, 'host');
  if (jobs.size === 0) {
    missing.push('throughput: no headroom_obs_jobs_finished_total series (obs collector with watch entries) in the window');
    return [];
  }
  const building = byLabel(d.obsBuilding, 'host');
  const durations = byLabel(d.medianBuildTime, 'host');
  const findingOf = new Map((workers?.hosts ?? []).map((f) => [obsHostOf(f.host, opts.obsWorkerHosts), f]));
  return [...jobs.keys()].sort().map((host) => {
    const worker = findingOf.get(host);
    return analyseThroughput({
      host,
      instance: worker?.host ?? null,
      building: building.get(host),
      jobsPerHour: jobs.get(host),
      medianBuildSeconds: durations.get(host),
      budgetKind: opts.budget.kind,
      // A fit that does not rise has no knee: its "knee" is only the lowest level.
      churnKnee: worker?.fit && worker.fit.slope > 0 ? worker.fit.knee : null,
      churnLimit: worker?.churnLimit ?? null,
    });
  });
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
  // The state at the window's end: a domain counts on a host only if its series lasts as long
  // as the host's own. A domain migrated away (or deleted) 20 minutes before the end still has
  // points in the last hour, up to Prometheus' lookback after its last sample; counting it
  // would put it on two hosts. A host whose exporter stopped keeps its last known domains.
  const hostSeen = new Map([...memory.entries()].map(([h, s]) => [h, lastTime(s) ?? -Infinity]));
  const gone: string[] = [];
  const current = d.domainMemory.filter((s) => {
    const here = (lastTime(s) ?? -Infinity) >= (hostSeen.get(hostOf(s)) ?? -Infinity);
    if (!here) gone.push(`${s.labels['domain'] ?? ''} on ${hostOf(s)}`);
    return here;
  });
  const domains: DomainInput[] = current
    .map((s) => ({
      host: hostOf(s),
      name: s.labels['domain'] ?? '',
      memoryBytes: lastValue(s) ?? 0,
      vcpus: vcpus.get(key(s)) ?? 0,
      active: shutoff.get(key(s)) !== 1,
    }))
    .sort((a, b) => a.host.localeCompare(b.host) || a.name.localeCompare(b.name));
  if (hosts.length < 2) missing.push(`VM hosts: only ${hosts.length} VM host in the data: nothing to rebalance between`);
  const notes: string[] = [];
  for (const h of hosts) {
    const seen = hostSeen.get(h.host)!;
    // More than two steps of silence: its exporter stopped before the end; its last state stands.
    if (seen < d.window.end - 2 * d.window.step) notes.push(`${h.host} last reported at ${formatDate(seen, true)}, before the window's end: its last known domains are used`);
  }
  if (gone.length) notes.push(`not counted, gone from their host before its last report (migrated or deleted): ${gone.join(', ')}`);
  // Where each domain ran recently, other than where it runs now: moves back there are avoided.
  const recentHosts: Record<string, string[]> = {};
  for (const s of d.domainRecent) {
    const name = s.labels['domain'] ?? '';
    (recentHosts[name] ??= []).push(hostOf(s));
  }
  const p = proposeRebalance(hosts, domains, { maxMoves: opts.maxMoves, pinned: opts.pinned, nodeLimit: opts.nodeLimit, target: opts.overcommitTarget, recentHosts });
  return { ...p, notes: [...notes, ...p.notes] };
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
  const throughput = throughputSection(d, opts, workers, missing);
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
  if (!workers && !vmhosts && throughput.every((t) => t.levels.length === 0) && fc.every((f) => f.status === 'too little data') && d.backupLast.length === 0) {
    throw new TooLittleDataError(d.window, missing);
  }
  return {
    generatedFor: d.window,
    options: opts,
    workers,
    throughput,
    vmhosts,
    forecasts: fc,
    staleBackups: staleBackups.sort((a, b) => b.staleSeconds - a.staleSeconds),
    backupTargetsSeen: d.backupLast.length,
    missing,
  };
}
