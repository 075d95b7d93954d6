import type { Logger } from 'pino';
import type { MetricDef, Sample } from './metrics.js';
import type { HostPaths } from './paths.js';
import type { Schedule } from './schedule.js';

export interface CollectContext {
  readonly paths: HostPaths;
  /** Aborted when the refresh times out or the exporter shuts down: pass it to fetch, execFile, etc. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Attaches a remark to this refresh when it succeeds in a degraded way (libvirt unavailable,
   * an optional file missing): shown on the status page beside the success.
   */
  note?(text: string): void;
}

/** What the runtime knows about one source's refreshes; collectors turn it into health series. */
export interface SourceHealth {
  /** Outcome of the latest finished refresh. */
  readonly ok: boolean;
  /** Unix seconds when the latest refresh finished. */
  readonly lastAttemptSeconds: number;
  /** Unix seconds of the latest successful refresh, or null if none succeeded yet. */
  readonly lastSuccessSeconds: number | null;
  readonly lastError: string | null;
  /** Remarks of the latest successful refresh (see CollectContext.note). */
  readonly notes: readonly string[];
}

/**
 * One thing a collector polls on its own: an OBS instance, a backup target, or the whole
 * collector when it has a single source. Each source has its own schedule and timeout, and
 * its own last good data.
 */
export interface Source {
  readonly id: string;
  /** Background refresh; absent = refresh when scraped. */
  readonly schedule?: Schedule;
  readonly timeoutMs: number;
  collect(ctx: CollectContext): Promise<Sample[]>;
  /** Per-source health series (headroom_obs_up, headroom_backup_check_success, ...). */
  health?(state: SourceHealth): Sample[];
}

export interface Collector {
  readonly name: string;
  /** The catalog: every metric this collector may emit. Alerts and dashboards import it. */
  readonly metrics: readonly MetricDef[];
  readonly sources: readonly Source[];
  /** Most series one source may return per refresh (the section's series_limit); runtime default when absent. */
  seriesLimit?: number;
  /** Releases resources held across refreshes (worker threads, sockets). */
  close?(): Promise<void> | void;
}

/** A collector with a single source named after it: the common case. */
export function singleSourceCollector(def: {
  name: string;
  metrics: readonly MetricDef[];
  timeoutMs: number;
  schedule?: Schedule;
  collect(ctx: CollectContext): Promise<Sample[]>;
  close?(): Promise<void> | void;
}): Collector {
  const source: Source = {
    id: def.name,
    timeoutMs: def.timeoutMs,
    collect: def.collect,
    ...(def.schedule ? { schedule: def.schedule } : {}),
  };
  return { name: def.name, metrics: def.metrics, sources: [source], ...(def.close ? { close: def.close } : {}) };
}
