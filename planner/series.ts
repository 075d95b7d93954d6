// The planner's data model: what a Prometheus range query returns, as plain data.

/** One time series: its labels and its points, oldest first; t in Unix seconds. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: ReadonlyArray<readonly [t: number, v: number]>;
}

/** The window the planner looks at, in Unix seconds, and the query resolution. */
export interface Window {
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/** The host a series belongs to: Prometheus' `instance` label. */
export function hostOf(s: Series): string {
  return s.labels['instance'] ?? '';
}

/** `host:9847` → `host`, `[::1]:9847` → `::1`: to match an instance with names from OBS or config. */
export function hostName(instance: string): string {
  const bracket = /^\[(.*)\](?::\d+)?$/.exec(instance);
  if (bracket) return bracket[1]!;
  const m = /^(.*?)(?::\d+)?$/.exec(instance);
  return m ? m[1]! : instance;
}

/** The newest value of a series, or undefined when it has no points. */
export function lastValue(s: Series | undefined): number | undefined {
  if (!s || s.points.length === 0) return undefined;
  return s.points[s.points.length - 1]![1];
}

/** The time of the newest point of a series, or undefined when it has no points. */
export function lastTime(s: Series | undefined): number | undefined {
  if (!s || s.points.length === 0) return undefined;
  return s.points[s.points.length - 1]![0];
}

/** Series grouped by the value of one label (first series wins when several share it). */
export function byLabel(series: readonly Series[], label: string): Map<string, Series> {
  const out = new Map<string, Series>();
  for (const s of series) {
    const key = s.labels[label] ?? '';
    if (!out.has(key)) out.set(key, s);
  }
  return out;
}

/** The points of `a` and `b` at the same timestamps, as [t, a, b]. */
export function joinPoints(a: Series, b: Series): Array<[number, number, number]> {
  const bAt = new Map(b.points.map(([t, v]) => [t, v]));
  const out: Array<[number, number, number]> = [];
  for (const [t, v] of a.points) {
    const w = bAt.get(t);
    if (w !== undefined) out.push([t, v, w]);
  }
  return out;
}
