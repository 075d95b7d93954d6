// Small PromQL helpers for panel queries. Metric names come from the exporters' catalogs (a
// MetricDef, never a string), so a renamed metric breaks the build instead of a panel.
import { asSourceMatchers, OWN_SOURCE_LABEL, type AlertSelectors } from '../alerts/config.js';
import { backupMetrics } from '../exporters/backup/metrics.js';
import { obsMetrics } from '../exporters/obs/metrics.js';
import { pressureCatalog } from '../exporters/pressure/metrics.js';
import { swapCatalog } from '../exporters/swap/metrics.js';
import { vmhostMetrics } from '../exporters/vmhost/metrics.js';
import { workerCatalog } from '../exporters/worker/metrics.js';
import type { MetricDef } from '../src/metrics.js';
import { sourceLastAttempt, sourceLastSuccess, sourceUp } from '../src/runtime.js';

/** Label matchers as written in a selector: `{ instance: '=~"$instance"' }` → `instance=~"$instance"`. */
export type Matchers = Readonly<Record<string, string>>;

/** The dashboards' usual filters: the instance variable (and, on OBS panels, the obs variable). */
export const byInstance: Matchers = { instance: '=~"$instance"' };
export const byObs: Matchers = { obs: '=~"$obs"' };

/** `name{matchers}`; checks that every label matched is one the metric has (or a target label). */
export function sel(metric: MetricDef, matchers: Matchers = byInstance): string {
  return selectWith(metric, matchers, []);
}

/** `name{matchers, raw...}`: `raw` are matchers written as PromQL (a user's selector), not checked. */
function selectWith(metric: MetricDef, matchers: Matchers, raw: readonly string[]): string {
  const parts: string[] = [];
  for (const [label, matcher] of Object.entries(matchers)) {
    // instance and job are attached by Prometheus, not the exporter.
    if (label !== 'instance' && label !== 'job' && !metric.labels.includes(label)) {
      throw new Error(`${metric.name} has no label ${label} (it has ${metric.labels.join(', ') || 'none'})`);
    }
    parts.push(`${label}${matcher}`);
  }
  for (const r of raw) if (r.trim() !== '') parts.push(r.trim());
  return parts.length === 0 ? metric.name : `${metric.name}{${parts.join(', ')}}`;
}

/** A histogram's series of one kind (`_bucket`, `_sum`, `_count`), filtered like sel(). */
export function histogramSel(metric: MetricDef, part: 'bucket' | 'sum' | 'count', matchers: Matchers = byInstance): string {
  return histogramPart(metric, part, sel(metric, matchers));
}

function histogramPart(metric: MetricDef, part: 'bucket' | 'sum' | 'count', selector: string): string {
  if (metric.type !== 'histogram') throw new Error(`${metric.name} is a ${metric.type}, not a histogram`);
  return metric.name + '_' + part + selector.slice(metric.name.length);
}

/** A range selector with Grafana's rate interval, for rate()/increase() of counters. */
export function rateOf(metric: MetricDef, matchers: Matchers = byInstance): string {
  return rateWindow(metric, sel(metric, matchers));
}

function rateWindow(metric: MetricDef, selector: string): string {
  if (metric.type !== 'counter') throw new Error(`rate() of ${metric.name}, which is a ${metric.type}`);
  return `rate(${selector}[$__rate_interval])`;
}

/** The collector whose alerting selector scopes each catalog's series. */
const SELECTOR_OF = new Map<MetricDef, keyof AlertSelectors>([
  ...obsMetrics.map((m) => [m, 'obs'] as const),
  ...workerCatalog.map((m) => [m, 'worker'] as const),
  ...swapCatalog.map((m) => [m, 'swap'] as const),
  ...pressureCatalog.map((m) => [m, 'pressure'] as const),
  ...vmhostMetrics.map((m) => [m, 'vmhost'] as const),
  ...backupMetrics.map((m) => [m, 'backup'] as const),
]);
const SOURCE_HEALTH = new Set<MetricDef>([sourceUp, sourceLastSuccess, sourceLastAttempt]);

/**
 * The user's alerting selectors as the alert rules apply them (alerts/alerts.ts): `headroom` on
 * every headroom series, a collector's own on its catalog's series, and on the runtime's health
 * series of its sources (with `obs=`/`target=` read as `source=`, as OBSApiDown and
 * BackupCheckFailing do).
 */
function userMatchers(selectors: AlertSelectors, metric: MetricDef, matchers: Matchers): string[] {
  const own = SELECTOR_OF.get(metric);
  if (own !== undefined) return [selectors.headroom, selectors[own]];
  const collector = /^="(\w+)"$/.exec(matchers['collector'] ?? '')?.[1];
  if (!SOURCE_HEALTH.has(metric) || collector === undefined || !(collector in selectors)) return [selectors.headroom];
  const ownSelector = selectors[collector as keyof AlertSelectors];
  const label = OWN_SOURCE_LABEL[collector as keyof typeof OWN_SOURCE_LABEL];
  return [selectors.headroom, label === undefined ? ownSelector : asSourceMatchers(ownSelector, label)];
}

/** `sel` and `rateOf` that also apply the user's alerting selectors, so a panel shows what its alert sees. */
export interface ScopedQueries {
  sel(metric: MetricDef, matchers?: Matchers): string;
  rateOf(metric: MetricDef, matchers?: Matchers): string;
  histogramSel(metric: MetricDef, part: 'bucket' | 'sum' | 'count', matchers?: Matchers): string;
}

export function scopedQueries(selectors: AlertSelectors): ScopedQueries {
  const scopedSel = (metric: MetricDef, matchers: Matchers = byInstance) =>
    selectWith(metric, matchers, userMatchers(selectors, metric, matchers));
  return {
    sel: scopedSel,
    rateOf: (metric, matchers = byInstance) => rateWindow(metric, scopedSel(metric, matchers)),
    histogramSel: (metric, part, matchers = byInstance) => histogramPart(metric, part, scopedSel(metric, matchers)),
  };
}

/** Seconds in a day, for forecasts written as readable arithmetic. */
export const DAY = 86_400;

/**
 * A series recorded by the alert rules' recording group (alerts/recording.ts), filtered like a
 * raw metric: the dashboards read what the alerts already compute instead of repeating it.
 */
export function recorded(name: string, matchers: Matchers = byInstance): string {
  const parts = Object.entries(matchers).map(([label, matcher]) => `${label}${matcher}`);
  return parts.length === 0 ? name : `${name}{${parts.join(', ')}}`;
}
