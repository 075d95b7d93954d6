// The metric model every collector speaks: a catalog of definitions and snapshots of samples.
// Collectors never touch the text format; src/exposition.ts turns samples into it.

export type MetricType = 'gauge' | 'counter' | 'histogram';

export interface MetricDef {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  /** Histograms only: the finite upper bounds of the buckets, ascending (+Inf is implied). */
  readonly buckets?: readonly number[];
}

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly metric: MetricDef;
  readonly labels: Labels;
  /** A histogram's observation count (its `_count` and `le="+Inf"` bucket). */
  readonly value: number;
  /** Histograms only. */
  readonly histogram?: HistogramValue;
}

export interface HistogramValue {
  /** Observations at most metric.buckets[i], cumulative, one per finite bound. */
  readonly cumulative: readonly number[];
  readonly sum: number;
}

export function gauge(name: string, help: string, labels: readonly string[] = []): MetricDef {
  return Object.freeze({ name, help, type: 'gauge' as const, labels: Object.freeze([...labels]) });
}

export function counter(name: string, help: string, labels: readonly string[] = []): MetricDef {
  if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
  return Object.freeze({ name, help, type: 'counter' as const, labels: Object.freeze([...labels]) });
}

/**
 * A classic Prometheus histogram: `name_bucket{le}`, `name_sum` and `name_count` in the text
 * format. With no buckets it is only a sum and a count (and the `+Inf` bucket the format wants).
 */
export function histogram(name: string, help: string, labels: readonly string[], buckets: readonly number[]): MetricDef {
  if (/_(total|bucket|sum|count)$/.test(name)) throw new Error(`histogram ${name} must not end in _total, _bucket, _sum or _count`);
  if (labels.includes('le')) throw new Error(`histogram ${name} must not have an le label`);
  for (let i = 0; i < buckets.length; i++) {
    if (!Number.isFinite(buckets[i]) || (i > 0 && buckets[i]! <= buckets[i - 1]!)) throw new Error(`histogram ${name}: buckets must be finite and ascending`);
  }
  return Object.freeze({ name, help, type: 'histogram' as const, labels: Object.freeze([...labels]), buckets: Object.freeze([...buckets]) });
}

/** A histogram's sample: `cumulative[i]` observations at most the metric's i-th bound, `count` in all. */
export function histogramSample(metric: MetricDef, labels: Labels, cumulative: readonly number[], sum: number, count: number): Sample {
  return { metric, labels, value: count, histogram: { cumulative, sum } };
}

export function sample(metric: MetricDef, labels: Labels, value: number): Sample {
  return { metric, labels, value };
}

/** One series per state, 1 for the current one: node_exporter's enum style (systemd unit state). */
export function enumSamples(
  metric: MetricDef,
  labels: Labels,
  stateLabel: string,
  knownStates: readonly string[],
  current: string,
): Sample[] {
  const states = knownStates.includes(current) ? knownStates : [...knownStates, current];
  return states.map((state) => sample(metric, { ...labels, [stateLabel]: state }, state === current ? 1 : 0));
}

/** The names a metric's series have in the text format (a histogram's _bucket, _sum, _count). */
export function seriesNames(metric: MetricDef): string[] {
  return metric.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => metric.name + suffix) : [metric.name];
}

/** Stable identity of a series, for duplicate detection. */
export function seriesKey(s: Sample): string {
  return s.metric.name + '\u0000' + s.metric.labels.map((l) => s.labels[l] ?? '').join('\u0000');
}
