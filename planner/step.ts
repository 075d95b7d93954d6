// How to ask Prometheus for a long window: a step that keeps every query under its limit of
// 11,000 points per series, and the sub-ranges a query is split into when a step is forced.

/** Prometheus refuses a range query resolving to more than 11,000 points per series. */
export const PROMETHEUS_MAX_POINTS = 11_000;
/** What the planner asks for at most per query, leaving room for the inclusive ends. */
export const POINTS_PER_QUERY = 10_000;

const NICE_STEPS_S = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** The finest "round" step (15s, 1m, 5m, 1h...) that covers the window in at most POINTS_PER_QUERY points. */
export function chooseStep(windowSeconds: number, minStepSeconds = 60): number {
  for (const s of NICE_STEPS_S) {
    if (s >= minStepSeconds && windowSeconds / s <= POINTS_PER_QUERY) return s;
  }
  return Math.ceil(windowSeconds / POINTS_PER_QUERY / 86400) * 86400;
}

/**
 * [start, end] cut into consecutive ranges of at most POINTS_PER_QUERY points at `step`; each
 * range starts one step after the previous one ends, so no timestamp is fetched twice.
 */
export function splitRange(start: number, end: number, step: number): Array<[number, number]> {
  if (!(step > 0) || end < start) throw new RangeError(`bad range ${start}..${end} step ${step}`);
  const out: Array<[number, number]> = [];
  const span = step * (POINTS_PER_QUERY - 1);
  for (let s = start; s <= end; s += span + step) out.push([s, Math.min(end, s + span)]);
  return out;
}

/** The range over which rate() averages: the step, but at least 5 minutes so a few scrapes fall in it. */
export function rateRange(step: number): string {
  return `${Math.max(step, 300)}s`;
}
