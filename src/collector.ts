// The one shape of a collector: a name, a catalog of metrics under the collector's subsystem
// prefix, and sources that own their state. Health is not the collector's business: the
// runtime reports every source's outcome in the headroom_collector_* family.
import type { Logger } from './log.js';
import { seriesKey, type MetricDef, type Sample } from './metrics.js';
import type { HostPaths } from './paths.js';
import type { Schedule } from './schedule.js';

export interface CollectContext {
  readonly paths: HostPaths;
  /** Aborted when the refresh times out or the exporter shuts down: pass it to fetch, execFile, etc. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Attaches a remark to this refresh when it succeeds in a degraded way (an optional file
   * missing): shown on the status page beside the success.
   */
  note?(text: string): void;
}

/**
 * One thing a collector polls on its own: an OBS instance, a backup target, libvirt, smartctl,
 * or the host files of a collector. Each source has its own schedule and timeout, its own last
 * good data and its own health series; whatever it remembers between refreshes (a client, a
 * parse cache, which route answered) lives in the source object, never in module globals.
 */
export interface Source {
  /** Unique within the collector: the `source` label of the health series. */
  readonly id: string;
  /** Background refresh; absent = refresh when scraped. */
  readonly schedule?: Schedule;
  readonly timeoutMs: number;
  /**
   * A source some hosts simply lack (libvirt on an OBS worker): its health series are there,
   * but it is left out of headroom_collector_success, so a host without it is not "failing".
   * It needs an alert of its own.
   */
  readonly optional?: boolean;
  collect(ctx: CollectContext): Promise<Sample[]>;
  /** Releases what the source holds across refreshes (sockets, clients). */
  close?(): Promise<void> | void;
}

export interface Collector {
  readonly name: string;
  /** The catalog: every metric this collector may emit. Alerts and dashboards import it. */
  readonly metrics: readonly MetricDef[];
  readonly sources: readonly Source[];
  /**
   * Series fixed by the configuration (a backup target's max_age), served from startup
   * whatever the sources do: not data a refresh finds, and not health.
   */
  readonly constants: readonly Sample[];
  close(): Promise<void>;
  /** Most series one source may return per refresh (the section's series_limit); runtime default when absent. */
  seriesLimit?: number;
}

export interface CollectorDefinition {
  readonly name: string;
  /**
   * Subsystems the catalog's names live under: every metric is headroom_<subsystem>_*, as
   * node_exporter names metrics after their collector. Default: the collector's name.
   */
  readonly subsystems?: readonly string[];
  readonly metrics: readonly MetricDef[];
  readonly sources: readonly Source[];
  readonly constants?: readonly Sample[];
}

/**
 * A timeout shorter than this cannot even spawn a process: one floor for every source, and the
 * one the config's timeout fields use.
 */
export const MIN_TIMEOUT_MS = 100;

/** The one way to define a collector: checks the shape, so a malformed one fails at startup. */
export function defineCollector(def: CollectorDefinition): Collector {
  const problem = shapeProblem(def);
  if (problem) throw new Error(`collector ${JSON.stringify(def.name)}: ${problem}`);
  const sources = [...def.sources];
  return {
    name: def.name,
    metrics: def.metrics,
    sources,
    constants: def.constants ?? [],
    async close() {
      await Promise.allSettled(sources.map(async (s) => s.close?.()));
    },
  };
}

function shapeProblem(def: CollectorDefinition): string | null {
  if (!/^[a-z][a-z0-9]*$/.test(def.name)) return 'the name must be lower-case letters and digits (it becomes a label and a metric prefix)';
  const prefixes = (def.subsystems ?? [def.name]).map((s) => `headroom_${s}_`);
  for (const m of def.metrics) {
    if (!prefixes.some((p) => m.name.startsWith(p))) return `metric ${m.name} is not under ${prefixes.map((p) => `${p}*`).join(' or ')}`;
  }
  const ids = new Set<string>();
  for (const s of def.sources) {
    if (s.id === '') return 'a source has an empty id';
    if (ids.has(s.id)) return `source ${JSON.stringify(s.id)} is defined twice`;
    ids.add(s.id);
    if (!(s.timeoutMs >= MIN_TIMEOUT_MS)) return `source ${JSON.stringify(s.id)} has a timeout of ${s.timeoutMs}ms, below ${MIN_TIMEOUT_MS}ms`;
  }
  const catalog = new Set(def.metrics);
  const seen = new Set<string>();
  for (const c of def.constants ?? []) {
    if (!catalog.has(c.metric)) return `constant ${c.metric.name} is not in the catalog`;
    if (seen.has(seriesKey(c))) return `constant ${c.metric.name} is defined twice with the same labels`;
    seen.add(seriesKey(c));
  }
  return null;
}
