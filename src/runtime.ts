import { performance } from 'node:perf_hooks';
import type { Logger } from './log.js';
import type { Collector, Source } from './collector.js';
import { errorMessage } from './errors.js';

// Kept for callers that import it from here (serve); the function lives in ./errors.ts.
export { errorMessage };
import { gauge, sample, seriesKey, type MetricDef, type Sample } from './metrics.js';
import type { HostPaths } from './paths.js';
import { startSchedule } from './schedule.js';
import { MAX_TIMER_MS } from './units.js';

// Health is the runtime's: one family, headroom_collector_*, for every collector's every
// source. Collectors never emit health of their own.
const SOURCE_LABELS = ['collector', 'source'];
export const collectorSuccess = gauge(
  'headroom_collector_success',
  'Whether the collector\'s last refresh succeeded (1) or not (0); with several sources, 1 only when every source\'s last refresh succeeded (optional sources such as libvirt aside: see headroom_collector_source_up).',
  ['collector'],
);
export const collectorDuration = gauge(
  'headroom_collector_duration_seconds',
  'Duration of the collector\'s last refresh in seconds; with several sources, the slowest source\'s last refresh.',
  ['collector'],
);
export const collectorLastSuccess = gauge(
  'headroom_collector_last_success_timestamp_seconds',
  'Unix time when the collector\'s data was last collected successfully (with several sources, the oldest source); cache age = time() - this.',
  ['collector'],
);
export const sourceUp = gauge(
  'headroom_collector_source_up',
  'Whether the last refresh of this source (an OBS instance, a backup target, libvirt, smartctl, a host\'s files) succeeded (1) or not (0); present from the end of its first refresh. The reason of a failure is logged and on the status page.',
  SOURCE_LABELS,
);
export const sourceLastSuccess = gauge(
  'headroom_collector_source_last_success_timestamp_seconds',
  'Unix time of the last successful refresh of this source; data age = time() - this. Absent until the first success.',
  SOURCE_LABELS,
);
export const sourceLastAttempt = gauge(
  'headroom_collector_source_last_attempt_timestamp_seconds',
  'Unix time when the last refresh of this source finished, successful or not.',
  SOURCE_LABELS,
);
export const runtimeMetrics: readonly MetricDef[] = [
  collectorSuccess,
  collectorDuration,
  collectorLastSuccess,
  sourceUp,
  sourceLastSuccess,
  sourceLastAttempt,
];

/** What the runtime knows about one source's refreshes. */
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

/** Everything the runtime remembers about one source between refreshes. */
interface SourceState {
  readonly collector: Collector;
  readonly source: Source;
  /** The source's logger, made once: a pino child per refresh is work every scrape. */
  readonly log: Logger;
  lastGood: readonly Sample[] | null;
  health: SourceHealth | null;
  lastDurationSeconds: number | null;
  /** The refresh callers are waiting on; concurrent scrapes share it. */
  pending: Promise<void> | null;
  /** A collect() call that has not settled yet, even after its refresh timed out. */
  running: { promise: Promise<unknown>; since: number } | null;
  controller: AbortController | null;
}

export interface SourceStatus {
  id: string;
  background: boolean;
  ok: boolean | null;
  lastSuccessSeconds: number | null;
  lastAttemptSeconds: number | null;
  lastDurationSeconds: number | null;
  lastError: string | null;
  notes: readonly string[];
  series: number;
}

export interface CollectorStatus {
  name: string;
  ok: boolean | null;
  sources: SourceStatus[];
}

export interface RuntimeOptions {
  paths: HostPaths;
  log: Logger;
}

/**
 * Owns every collector's sources: schedules background refreshes, runs scrape-time refreshes
 * behind their timeouts, keeps each source's last good snapshot and turns the whole into one
 * list of samples plus the runtime's own health series.
 */
export class CollectorRuntime {
  private readonly states: SourceState[] = [];
  private readonly stoppers: Array<() => void> = [];
  private stopped = false;

  constructor(
    readonly collectors: readonly Collector[],
    private readonly options: RuntimeOptions,
  ) {
    const seen = new Map<string, string>();
    for (const c of collectors) {
      for (const m of c.metrics) {
        const owner = seen.get(m.name);
        if (owner) throw new Error(`metric ${m.name} is defined by both ${owner} and ${c.name}`);
        seen.set(m.name, c.name);
      }
      for (const source of c.sources) {
        this.states.push({
          collector: c,
          source,
          log: options.log.child({ collector: c.name, source: source.id }),
          lastGood: null,
          health: null,
          lastDurationSeconds: null,
          pending: null,
          running: null,
          controller: null,
        });
      }
    }
  }

  /** Every metric the exporter may expose: the runtime's own and each collector's catalog. */
  catalog(): MetricDef[] {
    return [...runtimeMetrics, ...this.collectors.flatMap((c) => c.metrics)];
  }

  /**
   * Takes over the last good data and health of the sources a previous runtime had under the
   * same collector and source names (config reload), so series do not vanish while the new
   * sources make their first refresh.
   */
  adopt(previous: CollectorRuntime): void {
    for (const state of this.states) {
      const old = previous.states.find((o) => o.collector.name === state.collector.name && o.source.id === state.source.id);
      if (!old) continue;
      state.lastGood = old.lastGood;
      state.health = old.health;
      state.lastDurationSeconds = old.lastDurationSeconds;
    }
  }

  /** Starts background sources: a first refresh now (never awaited), then on their schedule. */
  start(): void {
    for (const state of this.states) {
      const schedule = state.source.schedule;
      if (!schedule) continue;
      void this.refresh(state);
      this.stoppers.push(startSchedule(schedule, () => void this.refresh(state)));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.stoppers.splice(0)) stop();
    for (const state of this.states) state.controller?.abort(new Error('exporter shutting down'));
    await Promise.allSettled(this.collectors.map(async (c) => c.close()));
  }

  /**
   * Refreshes the scrape-time sources (each bounded by its own timeout) and returns the full
   * snapshot. `maxWaitMs` (from Prometheus' scrape timeout) caps the wait: a refresh still
   * running then goes on in the background and the scrape serves the last good data.
   */
  async scrape(maxWaitMs?: number): Promise<Sample[]> {
    const onScrape = this.states.filter((s) => !s.source.schedule).map((s) => this.refresh(s));
    if (onScrape.length > 0) {
      const all = Promise.all(onScrape);
      if (maxWaitMs === undefined) await all;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
        clearTimeout(timer);
      }
    }
    return this.snapshot();
  }

  /** The current samples without refreshing anything. */
  snapshot(): Sample[] {
    const out: Sample[] = [];
    for (const c of this.collectors) {
      const states = this.states.filter((s) => s.collector === c);
      for (const one of c.constants) out.push(one);
      for (const s of states) {
        if (s.lastGood) for (const one of s.lastGood) out.push(one);
        if (s.health) for (const one of sourceHealthSamples(c.name, s.source.id, s.health)) out.push(one);
      }
      out.push(...this.collectorHealth(c.name, states.filter((s) => !s.source.optional)));
    }
    return out;
  }

  status(): CollectorStatus[] {
    return this.collectors.map((c) => {
      const sources = this.states
        .filter((s) => s.collector === c)
        .map(
          (s): SourceStatus => ({
            id: s.source.id,
            background: s.source.schedule !== undefined,
            ok: s.health?.ok ?? null,
            lastSuccessSeconds: s.health?.lastSuccessSeconds ?? null,
            lastAttemptSeconds: s.health?.lastAttemptSeconds ?? null,
            lastDurationSeconds: s.lastDurationSeconds,
            lastError: s.health?.lastError ?? null,
            notes: s.health?.notes ?? [],
            series: s.lastGood?.length ?? 0,
          }),
        );
      // As headroom_collector_success: an optional source (libvirt) down does not fail the collector.
      const optional = new Set(c.sources.filter((s) => s.optional).map((s) => s.id));
      const finished = sources.filter((s) => s.ok !== null && !optional.has(s.id));
      return { name: c.name, ok: finished.length === 0 ? null : finished.every((s) => s.ok), sources };
    });
  }

  /** Refreshes a collector's sources now (or one of them), joining refreshes in flight. */
  async refreshCollector(collectorName: string, sourceId?: string): Promise<void> {
    const matches = this.states.filter(
      (s) => s.collector.name === collectorName && (sourceId === undefined || s.source.id === sourceId),
    );
    await Promise.all(matches.map((s) => this.refresh(s)));
  }

  /** Starts a refresh of one source, or joins the one in flight. Always settles, never rejects. */
  private refresh(state: SourceState): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (state.pending) return state.pending;
    state.pending = this.attempt(state).finally(() => {
      state.pending = null;
    });
    return state.pending;
  }

  private async attempt(state: SourceState): Promise<void> {
    const { source, collector, log } = state;
    const started = performance.now();

    if (state.running) {
      // The previous collect() ignored its abort and still runs: starting another would pile
      // up hung work (processes, sockets), so report the hang instead.
      const age = ((performance.now() - state.running.since) / 1000).toFixed(1);
      this.record(state, log, started, { error: `previous refresh still running after ${age}s (timed out, not settled)` });
      return;
    }

    const controller = new AbortController();
    state.controller = controller;
    const notes: string[] = [];
    const ctx = { paths: this.options.paths, signal: controller.signal, log, note: (text: string) => void notes.push(text) };
    const run = Promise.resolve().then(() => source.collect(ctx));
    const running = { promise: run, since: started };
    state.running = running;
    run.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      if (state.running === running) state.running = null;
    });

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.min(source.timeoutMs, MAX_TIMER_MS));
    });
    try {
      const result = await Promise.race([run, timedOut]);
      if (result === 'timeout') {
        controller.abort(new Error(`timed out after ${source.timeoutMs / 1000}s`));
        this.record(state, log, started, { error: `timed out after ${source.timeoutMs / 1000}s` });
        return;
      }
      const limit = collector.seriesLimit ?? DEFAULT_SERIES_LIMIT;
      if (Array.isArray(result) && result.length > limit) {
        this.record(state, log, started, { error: seriesLimitError(result.length, limit) });
        return;
      }
      const problem = validateSamples(collector, result);
      if (problem) this.record(state, log, started, { error: `returned invalid samples: ${problem}` });
      else this.record(state, log, started, { samples: result as Sample[], notes });
    } catch (err) {
      this.record(state, log, started, { error: errorMessage(err) });
    } finally {
      clearTimeout(timer);
      if (state.controller === controller) state.controller = null;
    }
  }

  private record(
    state: SourceState,
    log: Logger,
    startedMs: number,
    outcome: { samples: Sample[]; notes: string[] } | { error: string },
  ): void {
    const nowSeconds = Date.now() / 1000;
    const previous = state.health;
    state.lastDurationSeconds = (performance.now() - startedMs) / 1000;
    if ('samples' in outcome) {
      state.lastGood = outcome.samples;
      state.health = { ok: true, lastAttemptSeconds: nowSeconds, lastSuccessSeconds: nowSeconds, lastError: null, notes: outcome.notes };
      if (previous && !previous.ok) log.info('collection recovered');
      return;
    }
    state.health = {
      ok: false,
      lastAttemptSeconds: nowSeconds,
      lastSuccessSeconds: previous?.lastSuccessSeconds ?? null,
      lastError: outcome.error,
      notes: previous?.notes ?? [],
    };
    // Log a failure when it starts or changes; repeating the same one every scrape is noise.
    if (!previous || previous.ok || previous.lastError !== outcome.error) {
      log.warn({ err: outcome.error }, 'collection failed; serving last good data');
    } else {
      log.debug({ err: outcome.error }, 'collection still failing');
    }
  }

  private collectorHealth(name: string, states: readonly SourceState[]): Sample[] {
    const finished = states.filter((s) => s.health !== null);
    if (finished.length === 0) return [];
    const labels = { collector: name };
    const out = [sample(collectorSuccess, labels, finished.every((s) => s.health!.ok) ? 1 : 0)];
    const durations = finished.map((s) => s.lastDurationSeconds ?? 0);
    out.push(sample(collectorDuration, labels, Math.max(...durations)));
    const successes = states.map((s) => s.health?.lastSuccessSeconds ?? null);
    if (successes.every((t) => t !== null)) {
      out.push(sample(collectorLastSuccess, labels, Math.min(...(successes as number[]))));
    }
    return out;
  }
}

function sourceHealthSamples(collector: string, source: string, health: SourceHealth): Sample[] {
  const labels = { collector, source };
  const out = [sample(sourceUp, labels, health.ok ? 1 : 0), sample(sourceLastAttempt, labels, health.lastAttemptSeconds)];
  if (health.lastSuccessSeconds !== null) out.push(sample(sourceLastSuccess, labels, health.lastSuccessSeconds));
  return out;
}

/**
 * Series one source may return per refresh unless its collector section sets `series_limit`:
 * like Prometheus' sample_limit, a source past it fails (keeping its last good data) instead of
 * growing every scrape without bound. Ten times the largest real farm's worker-status output.
 */
export const DEFAULT_SERIES_LIMIT = 100_000;

function seriesLimitError(count: number, limit: number): string {
  return `returned ${count} series, over the series limit of ${limit} (series_limit in the collector's section)`;
}

/** What is wrong with a histogram sample (counts that are not counts, buckets out of order), or null. */
function histogramProblem(metric: MetricDef, count: number, h: Sample['histogram']): string | null {
  if (!h || typeof h !== 'object' || !Array.isArray(h.cumulative)) return `histogram ${metric.name} has no bucket counts`;
  const bounds = metric.buckets ?? [];
  if (h.cumulative.length !== bounds.length) return `histogram ${metric.name} has ${h.cumulative.length} bucket counts, expected ${bounds.length}`;
  if (!(count >= 0 && Number.isFinite(count))) return `histogram ${metric.name} has count ${count}`;
  if (typeof h.sum !== 'number' || Number.isNaN(h.sum)) return `histogram ${metric.name} has sum ${h.sum}`;
  let previous = 0;
  for (const n of [...h.cumulative, count]) {
    if (typeof n !== 'number' || !(n >= previous && Number.isFinite(n))) return `histogram ${metric.name} has bucket counts that are not cumulative (${h.cumulative.join(', ')}; count ${count})`;
    previous = n;
  }
  return null;
}

/**
 * Checks a collector's output against its catalog, so that garbage from a collector fails
 * that collector instead of the scrape. Returns a description of the first problem, or null.
 */
export function validateSamples(collector: Pick<Collector, 'name' | 'metrics'>, samples: unknown): string | null {
  if (!Array.isArray(samples)) return `expected an array of samples, got ${typeof samples}`;
  const catalog = new Set(collector.metrics);
  const seen = new Set<string>();
  for (const s of samples as Sample[]) {
    if (!s || typeof s !== 'object' || !catalog.has(s.metric)) {
      const name = (s as Sample | undefined)?.metric?.name;
      return `sample of ${name ?? 'unknown metric'} is not in the ${collector.name} catalog`;
    }
    const { metric, labels, value } = s;
    if (typeof value !== 'number') return `${metric.name} has a non-numeric value (${typeof value})`;
    if (metric.type === 'counter' && !(value >= 0 && Number.isFinite(value))) {
      return `counter ${metric.name} has value ${value}`;
    }
    if (metric.type === 'histogram') {
      const problem = histogramProblem(metric, value, (s as Sample).histogram);
      if (problem) return problem;
    }
    if (!labels || typeof labels !== 'object') return `${metric.name} has no labels object`;
    const keys = Object.keys(labels);
    if (keys.length !== metric.labels.length || !metric.labels.every((l) => typeof labels[l] === 'string')) {
      return `${metric.name} has labels {${keys.join(',')}}, expected {${metric.labels.join(',')}}`;
    }
    const key = seriesKey(s);
    if (seen.has(key)) return `duplicate series ${metric.name}{${keys.map((k) => `${k}="${labels[k]}"`).join(',')}}`;
    seen.add(key);
  }
  return null;
}
