// The metric model every collector speaks: a catalog of definitions and snapshots of samples.
// Collectors never touch the text format; src/exposition.ts turns samples into it.

export type MetricType = 'gauge' | 'counter';

export interface MetricDef {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly metric: MetricDef;
  readonly labels: Labels;
  readonly value: number;
}

export function gauge(name: string, help: string, labels: readonly string[] = []): MetricDef {
  return Object.freeze({ name, help, type: 'gauge' as const, labels: Object.freeze([...labels]) });
}

export function counter(name: string, help: string, labels: readonly string[] = []): MetricDef {
  if (!name.endsWith('_total')) throw new Error(`counter ${name} must end in _total`);
  return Object.freeze({ name, help, type: 'counter' as const, labels: Object.freeze([...labels]) });
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

/** Stable identity of a series, for duplicate detection. */
export function seriesKey(s: Sample): string {
  return s.metric.name + '\u0000' + s.metric.labels.map((l) => s.labels[l] ?? '').join('\u0000');
}
