// Forecasts: when a resource runs out at the window's linear trend, with a date range from the
// slope's standard error; and backup targets that were stale at some time in the window.
import { fitLine } from './regression.js';
import type { Series } from './series.js';

export type ForecastKind = 'ram' | 'tmpfs promise' | 'disk' | 'ssd endurance';

export interface Forecast {
  readonly kind: ForecastKind;
  readonly host: string;
  /** Device, mount point or other sub-resource; empty for the host itself. */
  readonly resource: string;
  readonly currentUsage: number;
  readonly capacity: number;
  readonly unit: 'bytes' | 'ratio';
  /** Trend in units per day. */
  readonly slopePerDay: number;
  readonly status: 'exhausted' | 'runs out' | 'not running out' | 'too little data';
  /** Unix seconds: expected date, and the range at ±2 standard errors of the slope (about 95 %). */
  readonly runOut: number | null;
  readonly earliest: number | null;
  /** null with status 'runs out': at the low end of the trend it never runs out. */
  readonly latest: number | null;
  /** The history (thinned) and the capacity, for the chart. */
  readonly history: ReadonlyArray<readonly [number, number]>;
}

/** At least this many points and this share of the window before a trend is drawn. */
const MIN_POINTS = 10;
const HISTORY_POINTS = 200;

export function forecastExhaustion(
  what: { kind: ForecastKind; host: string; resource: string; unit: Forecast['unit'] },
  usage: Series,
  capacity: number,
  now: number,
): Forecast {
  const pts = usage.points;
  const every = Math.max(1, Math.floor(pts.length / HISTORY_POINTS));
  const history = pts.filter((_, i) => i % every === 0 || i === pts.length - 1);
  const base = { ...what, capacity, history };
  const current = pts.length ? pts[pts.length - 1]![1] : NaN;
  const fit = pts.length >= MIN_POINTS ? fitLine(pts.map(([t]) => t), pts.map(([, v]) => v)) : null;
  if (!fit) {
    return { ...base, currentUsage: current, slopePerDay: 0, status: 'too little data', runOut: null, earliest: null, latest: null };
  }
  const slopePerDay = fit.slope * 86400;
  if (current >= capacity) {
    return { ...base, currentUsage: current, slopePerDay, status: 'exhausted', runOut: now, earliest: now, latest: now };
  }
  // From the fitted level now (not the last raw point, which may be a spike).
  const levelNow = Math.min(fit.intercept + fit.slope * now, capacity);
  const se = Number.isFinite(fit.slopeStdErr) ? fit.slopeStdErr : 0;
  const at = (slope: number) => (slope > 0 ? now + (capacity - levelNow) / slope : null);
  const runOut = at(fit.slope);
  if (runOut === null) {
    return { ...base, currentUsage: current, slopePerDay, status: 'not running out', runOut: null, earliest: at(fit.slope + 2 * se), latest: null };
  }
  return { ...base, currentUsage: current, slopePerDay, status: 'runs out', runOut, earliest: at(fit.slope + 2 * se), latest: at(fit.slope - 2 * se) };
}

export interface StaleBackup {
  readonly target: string;
  readonly staleSeconds: number;
  readonly longestSeconds: number;
  readonly intervals: ReadonlyArray<readonly [from: number, to: number]>;
  readonly staleAtEnd: boolean;
  readonly maxAgeSeconds: number;
}

/**
 * Stale = older than max_age at a query step (age = t − last success). Each stale point counts
 * one step; gaps in the data (exporter down) count as unknown, not stale.
 */
export function backupStaleness(target: string, lastSuccess: Series, maxAge: Series, step: number): StaleBackup | null {
  const maxAt = new Map(maxAge.points.map(([t, v]) => [t, v]));
  const intervals: Array<[number, number]> = [];
  let staleSeconds = 0;
  let lastMax = NaN;
  let staleAtEnd = false;
  for (const [t, last] of lastSuccess.points) {
    const max = maxAt.get(t);
    if (max === undefined) continue;
    lastMax = max;
    const stale = t - last > max;
    staleAtEnd = stale;
    if (!stale) continue;
    staleSeconds += step;
    const open = intervals[intervals.length - 1];
    if (open && t - open[1] <= step + 1e-6) open[1] = t;
    else intervals.push([t, t]);
  }
  if (intervals.length === 0) return null;
  const longestSeconds = Math.max(...intervals.map(([a, b]) => b - a + step));
  return { target, staleSeconds, longestSeconds, intervals, staleAtEnd, maxAgeSeconds: lastMax };
}
