// Small PromQL helpers for panel queries. Metric names come from the exporters' catalogs (a
// MetricDef, never a string), so a renamed metric breaks the build instead of a panel.
import type { MetricDef } from '../src/metrics.js';

/** Label matchers as written in a selector: `{ instance: '=~"$instance"' }` → `instance=~"$instance"`. */
export type Matchers = Readonly<Record<string, string>>;

/** The dashboards' usual filters: the instance variable (and, on OBS panels, the obs variable). */
export const byInstance: Matchers = { instance: '=~"$instance"' };
export const byObs: Matchers = { obs: '=~"$obs"' };

/** `name{matchers}`; checks that every label matched is one the metric has (or a target label). */
export function sel(metric: MetricDef, matchers: Matchers = byInstance): string {
  const parts: string[] = [];
  for (const [label, matcher] of Object.entries(matchers)) {
    // instance and job are attached by Prometheus, not the exporter.
    if (label !== 'instance' && label !== 'job' && !metric.labels.includes(label)) {
      throw new Error(`${metric.name} has no label ${label} (it has ${metric.labels.join(', ') || 'none'})`);
    }
    parts.push(`${label}${matcher}`);
  }
  return parts.length === 0 ? metric.name : `${metric.name}{${parts.join(', ')}}`;
}

/** A histogram's series of one kind (`_bucket`, `_sum`, `_count`), filtered like sel(). */
export function histogramSel(metric: MetricDef, part: 'bucket' | 'sum' | 'count', matchers: Matchers = byInstance): string {
  if (metric.type !== 'histogram') throw new Error(`${metric.name} is a ${metric.type}, not a histogram`);
  const selector = sel(metric, matchers);
  return metric.name + '_' + part + selector.slice(metric.name.length);
}

/** A range selector with Grafana's rate interval, for rate()/increase() of counters. */
export function rateOf(metric: MetricDef, matchers: Matchers = byInstance): string {
  if (metric.type !== 'counter') throw new Error(`rate() of ${metric.name}, which is a ${metric.type}`);
  return `rate(${sel(metric, matchers)}[$__rate_interval])`;
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
