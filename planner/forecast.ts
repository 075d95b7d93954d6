// Forecasts: when a resource runs out at the window's linear trend, with a date range from the
// slope's standard error; and backup targets that were stale at some time in the window.
import { fitLine } from './regression.js';
import { formatDate } from './format.js';
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
  /** null with status 'runs out': at the low end of the trend it does not run out within HORIZON_SECONDS. */
  readonly latest: number | null;
  /** Why the trend was fitted on part of the window only (a step change); null when on all of it. */
  readonly note: string | null;
  /** The first point of the fit and how many points it had: how much data the date stands on. */
  readonly fittedFrom: number | null;
  readonly fittedPoints: number;
  /** The history (thinned) and the capacity, for the chart. */
  readonly history: ReadonlyArray<readonly [number, number]>;
}

/** At least this many points and this share of the window before a trend is drawn. */
const MIN_POINTS = 10;
const HISTORY_POINTS = 200;
/**
 * Dates further out than this read as "not running out". A constant that floating point cannot
 * represent exactly fits a slope of ±1e-20 instead of 0, which "runs out" in 10^20 seconds.
 */
export const HORIZON_SECONDS = 100 * 365.25 * 86400;
/** A slope that moves the fit by less than this share of the level over the window is rounding, not a trend. */
const FLAT_RELATIVE = 1e-9;
/** A single step explains the series when it leaves less than this share of the line's squared error. */
const STEP_SHARE = 0.05;

/**
 * The index where a series steps from one level to another (a migration, a resize), when two
 * flat levels explain it far better than a line does; null otherwise. A line through a step
 * is not a trend: its date would say the step repeats every window.
 */
export function stepChangeAt(xs: readonly number[], ys: readonly number[]): number | null {
  const n = ys.length;
  const line = fitLine(xs, ys);
  if (!line || n < 3) return null;
  let lineSse = 0;
  for (let i = 0; i < n; i++) lineSse += (ys[i]! - (line.intercept + line.slope * xs[i]!)) ** 2;
  // Prefix sums: the squared error of two means split before each index, in one pass.
  let total = 0;
  let totalSq = 0;
  for (const y of ys) {
    total += y;
    totalSq += y * y;
  }
  let best = { k: -1, sse: Infinity };
  let left = 0;
  let leftSq = 0;
  for (let k = 1; k < n; k++) {
    left += ys[k - 1]!;
    leftSq += ys[k - 1]! ** 2;
    const right = total - left;
    const rightSq = totalSq - leftSq;
    const sse = Math.max(0, leftSq - (left * left) / k) + Math.max(0, rightSq - (right * right) / (n - k));
    if (sse < best.sse) best = { k, sse };
  }
  const scale = Math.max(...ys.map(Math.abs), 1);
  // A flat series has no line error to explain; rounding error is not a step.
  if (lineSse <= (FLAT_RELATIVE * scale) ** 2 * n) return null;
  return best.sse < STEP_SHARE * lineSse ? best.k : null;
}

export function forecastExhaustion(
  what: { kind: ForecastKind; host: string; resource: string; unit: Forecast['unit'] },
  usage: Series,
  capacity: number,
  now: number,
): Forecast {
  const all = usage.points;
  const every = Math.max(1, Math.floor(all.length / HISTORY_POINTS));
  const history = all.filter((_, i) => i % every === 0 || i === all.length - 1);
  const current = all.length ? all[all.length - 1]![1] : NaN;
  const step = all.length >= MIN_POINTS ? stepChangeAt(all.map(([t]) => t), all.map(([, v]) => v)) : null;
  const pts = step === null ? all : all.slice(step);
  const note = step === null ? null : `stepped from ${what.unit === 'bytes' ? 'one level to another' : 'one ratio to another'} at ${formatDate(all[step]![0], true)} (a migration or resize, not a trend): the trend is fitted on the ${pts.length} point(s) since`;
  const base = { ...what, capacity, history, currentUsage: current, note, fittedFrom: pts.length ? pts[0]![0] : null, fittedPoints: pts.length };
  const fit = pts.length >= MIN_POINTS ? fitLine(pts.map(([t]) => t), pts.map(([, v]) => v)) : null;
  if (current >= capacity) {
    return { ...base, slopePerDay: fit ? fit.slope * 86400 : 0, status: 'exhausted', runOut: now, earliest: now, latest: now };
  }
  if (!fit) return { ...base, slopePerDay: 0, status: 'too little data', runOut: null, earliest: null, latest: null };
  const span = pts[pts.length - 1]![0] - pts[0]![0];
  const level = Math.max(...pts.map(([, v]) => Math.abs(v)), Math.abs(capacity));
  const rounding = (slope: number) => Math.abs(slope) * span <= FLAT_RELATIVE * level;
  const slope = rounding(fit.slope) ? 0 : fit.slope;
  const se = Number.isFinite(fit.slopeStdErr) && !rounding(fit.slopeStdErr) ? fit.slopeStdErr : 0;
  // From the fitted level now (not the last raw point, which may be a spike).
  const levelNow = Math.min(fit.intercept + fit.slope * now, capacity);
  const at = (s: number) => {
    const t = s > 0 ? now + (capacity - levelNow) / s : Infinity;
    return t - now <= HORIZON_SECONDS ? t : null;
  };
  const runOut = at(slope);
  const slopePerDay = slope * 86400;
  if (runOut === null) return { ...base, slopePerDay, status: 'not running out', runOut: null, earliest: at(slope + 2 * se), latest: null };
  return { ...base, slopePerDay, status: 'runs out', runOut, earliest: at(slope + 2 * se), latest: at(slope - 2 * se) };
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
 * one step; gaps in the data (exporter down) count as unknown, not stale, except inside a
 * stale period whose newest backup is the same on both sides of the gap: no backup ran in it,
 * so it was stale throughout and the period is one, not two.
 */
export function backupStaleness(target: string, lastSuccess: Series, maxAge: Series, step: number): StaleBackup | null {
  const maxAt = new Map(maxAge.points.map(([t, v]) => [t, v]));
  const intervals: Array<[number, number]> = [];
  let staleSeconds = 0;
  let lastMax = NaN;
  let staleAtEnd = false;
  /** The newest backup as of the open interval's last point; NaN when the last data point was fresh. */
  let openLast = NaN;
  for (const [t, last] of lastSuccess.points) {
    const max = maxAt.get(t);
    if (max === undefined) continue;
    lastMax = max;
    const stale = t - last > max;
    staleAtEnd = stale;
    const open = intervals[intervals.length - 1];
    if (!stale) {
      openLast = NaN;
      continue;
    }
    if (open && t - open[1] <= step + 1e-6) {
      staleSeconds += step;
      open[1] = t;
    } else if (open && last === openLast) {
      staleSeconds += t - open[1];
      open[1] = t;
    } else {
      staleSeconds += step;
      intervals.push([t, t]);
    }
    openLast = last;
  }
  if (intervals.length === 0) return null;
  const longestSeconds = Math.max(...intervals.map(([a, b]) => b - a + step));
  return { target, staleSeconds, longestSeconds, intervals, staleAtEnd, maxAgeSeconds: lastMax };
}
