// Shared conventions for every headroom dashboard: the Prometheus datasource variable used by
// every panel and query, the instance/obs variables, one-line descriptions, units, thresholds,
// legends that help, stable uids and panel ids. Dashboards are built only through these.
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type DataTransformerConfig,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as BarGaugePanelBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import {
  HeatmapColorMode,
  HeatmapColorOptionsBuilder,
  PanelBuilder as HeatmapPanelBuilder,
  YAxisConfigBuilder,
} from '@grafana/grafana-foundation-sdk/heatmap';
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  VizOrientation,
} from '@grafana/grafana-foundation-sdk/common';
import type { MetricDef } from '../src/metrics.js';

/** Every panel and query names the datasource through the variable (dashboard-linter rules). */
export const datasource = { type: 'prometheus', uid: '${datasource}' } as const;

export const TAGS = ['headroom'] as const;

/** A threshold step: the colour from `from` upwards; the first step starts at -Infinity. */
export type Step = readonly [color: string, from: number | null];

export function thresholds(steps: readonly Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([color, value]) => ({ color, value })));
}

/** Higher is worse: green, then orange from `warn`, red from `crit`. */
export function rising(warn: number, crit: number): readonly Step[] {
  return warn < crit ? [['green', null], ['orange', warn], ['red', crit]] : [['green', null], ['red', crit]];
}

/** Lower is worse (time left, free space): red below `crit`, orange below `warn`, green above. */
export function falling(crit: number, warn: number): readonly Step[] {
  return crit < warn ? [['red', null], ['orange', crit], ['green', warn]] : [['red', null], ['green', warn]];
}

/** Just a colour: for counts and totals that carry no judgement. */
export const neutral: readonly Step[] = [['text', null]];

/** Maps 1/0 health values to words (collector success, check result, up). */
export function okFailed(ok = 'OK', failed = 'failed'): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: { '1': { text: ok, color: 'green', index: 0 }, '0': { text: failed, color: 'red', index: 1 } },
    },
  ];
}

export interface Query {
  expr: string;
  /** Legend template: name what distinguishes the series, e.g. `{{instance}} {{device}}`. */
  legend?: string;
  /** Instant query (stats, tables, bar gauges): the value now rather than a series. */
  instant?: boolean;
  /** Table format: one row per series with its labels as columns. */
  table?: boolean;
  /** Heatmap format: Grafana turns `le` buckets into rows (the query must sum by le). */
  heatmap?: boolean;
}

function target(q: Query, refId: string): DataqueryBuilder {
  const b = new DataqueryBuilder().datasource(datasource).expr(q.expr).refId(refId);
  if (q.legend !== undefined) b.legendFormat(q.legend);
  if (q.instant) b.instant();
  else b.range();
  if (q.table) b.format(PromQueryFormat.Table);
  if (q.heatmap) b.format(PromQueryFormat.Heatmap);
  return b;
}

interface Common {
  title: string;
  /** One line: what the value means and what to do with it. */
  description: string;
  unit: string;
  queries: readonly Query[];
  /** Width in grid columns (24 = full width) and height in rows. */
  w: number;
  h: number;
  steps?: readonly Step[];
  min?: number;
  max?: number;
  decimals?: number;
  mappings?: ValueMapping[];
  noValue?: string;
}

function withCommon<
  B extends {
    id(n: number): B;
    title(t: string): B;
    description(d: string): B;
    datasource(d: typeof datasource): B;
    unit(u: string): B;
    span(w: number): B;
    height(h: number): B;
    withTarget(t: DataqueryBuilder): B;
    thresholds(t: ThresholdsConfigBuilder): B;
    min(n: number): B;
    max(n: number): B;
    decimals(n: number): B;
    mappings(m: ValueMapping[]): B;
    noValue(s: string): B;
  },
>(b: B, id: number, c: Common): B {
  if (!c.description || c.description.includes('\n')) throw new Error(`panel ${c.title}: a one-line description is required`);
  b.id(id).title(c.title).description(c.description).datasource(datasource).unit(c.unit).span(c.w).height(c.h);
  c.queries.forEach((q, i) => b.withTarget(target(q, String.fromCharCode(65 + i))));
  b.thresholds(thresholds(c.steps ?? neutral));
  if (c.min !== undefined) b.min(c.min);
  if (c.max !== undefined) b.max(c.max);
  if (c.decimals !== undefined) b.decimals(c.decimals);
  if (c.mappings) b.mappings(c.mappings);
  b.noValue(c.noValue ?? 'no data');
  return b;
}

export interface TimeseriesOptions extends Common {
  stacked?: boolean;
  /** Draw the thresholds as dashed lines (an objective, a ratio of 1). */
  thresholdLines?: boolean;
  /** Legend calculations shown in the table legend; default mean, max, last. */
  calcs?: string[];
}

export interface StatOptions extends Common {
  /** Background colour by threshold (default), or the value's colour only. */
  colorMode?: BigValueColorMode;
  sparkline?: boolean;
  /** How a series is reduced to one value (default lastNotNull). */
  calc?: string;
}

export interface TableOptions extends Common {
  /**
   * Grafana transformations (merge, organize, labelsToFields...). The SDK has no builders for
   * transformations: they are the typed `DataTransformerConfig` objects it accepts as they are.
   */
  transformations?: DataTransformerConfig[];
}

/**
 * Builds one dashboard's panels with ids that stay the same from one render to the next (in
 * the order panels are added), so links and diffs stay stable.
 */
export class PanelFactory {
  private next = 1;

  private id(): number {
    return this.next++;
  }

  row(title: string, repeat?: string): RowBuilder {
    const r = new RowBuilder(title).id(this.id());
    if (repeat) r.repeat(repeat);
    return r;
  }

  timeseries(o: TimeseriesOptions): TimeseriesPanelBuilder {
    const b = withCommon(new TimeseriesPanelBuilder(), this.id(), o)
      .legend(
        new VizLegendOptionsBuilder()
          .showLegend(true)
          .displayMode(LegendDisplayMode.Table)
          .placement(LegendPlacement.Bottom)
          .calcs(o.calcs ?? ['mean', 'max', 'lastNotNull']),
      )
      .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
      .stacking(new StackingConfigBuilder().mode(o.stacked ? StackingMode.Normal : StackingMode.None))
      .fillOpacity(o.stacked ? 60 : 10);
    if (o.thresholdLines) b.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
    return b;
  }

  stat(o: StatOptions): StatPanelBuilder {
    return withCommon(new StatPanelBuilder(), this.id(), o)
      .colorMode(o.colorMode ?? BigValueColorMode.Background)
      .graphMode(o.sparkline ? BigValueGraphMode.Area : BigValueGraphMode.None)
      .reduceOptions(new ReduceDataOptionsBuilder().calcs([o.calc ?? 'lastNotNull']).values(false));
  }

  /** Horizontal bars, one per series, coloured by threshold: rankings across hosts or targets. */
  bars(o: Common): BarGaugePanelBuilder {
    return withCommon(new BarGaugePanelBuilder(), this.id(), o)
      .displayMode(BarGaugeDisplayMode.Basic)
      .orientation(VizOrientation.Horizontal)
      .showUnfilled(true)
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  }

  table(o: TableOptions): TablePanelBuilder {
    const b = withCommon(new TablePanelBuilder(), this.id(), o).filterable(true);
    for (const t of o.transformations ?? []) b.withTransformation(t);
    return b;
  }

  /**
   * A histogram's buckets over time, already bucketed by Prometheus (`le`): one row per bucket,
   * colour by how many observations fell in it. `unit` is the unit of the buckets' bounds.
   */
  heatmap(o: Common): HeatmapPanelBuilder {
    if (!o.queries.every((q) => q.heatmap)) throw new Error(`panel ${o.title}: heatmap queries need heatmap: true`);
    return withCommon(new HeatmapPanelBuilder(), this.id(), { ...o, unit: 'short' }) // the cells count jobs
      .calculate(false)
      .yAxis(new YAxisConfigBuilder().unit(o.unit))
      .color(new HeatmapColorOptionsBuilder().mode(HeatmapColorMode.Scheme).scheme('Oranges'))
      .cellGap(1)
      .showLegend();
  }

  /** One lane per series, coloured by value mappings: health over time. */
  timeline(o: Common): StateTimelinePanelBuilder {
    return withCommon(new StateTimelinePanelBuilder(), this.id(), o)
      .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
      .mergeValues(true);
  }
}

/** The datasource variable every panel and query uses. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/** Instances that export `metric`: only hosts relevant to the dashboard are offered. */
export function instanceVariable(metric: MetricDef, label = 'Host'): QueryVariableBuilder {
  return new QueryVariableBuilder('instance')
    .label(label)
    .datasource(datasource)
    .query(`label_values(${metric.name}, instance)`)
    .definition(`label_values(${metric.name}, instance)`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true);
}

/**
 * The configured OBS instances (the obs label), narrowed to the selected exporter instances
 * when $instance selects OBS exporters (not when it selects worker hosts).
 */
export function obsVariable(metric: MetricDef, narrowByInstance = true): QueryVariableBuilder {
  const query = narrowByInstance ? `label_values(${metric.name}{instance=~"$instance"}, obs)` : `label_values(${metric.name}, obs)`;
  return new QueryVariableBuilder('obs')
    .label('OBS')
    .datasource(datasource)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true);
}

export interface DashboardMeta {
  uid: string;
  title: string;
  description: string;
  from?: string;
}

/** A dashboard with headroom's settings and the datasource variable first. */
export function dashboard(meta: DashboardMeta): DashboardBuilder {
  return new DashboardBuilder(meta.title)
    .uid(meta.uid)
    .description(meta.description)
    .tags([...TAGS])
    .time({ from: meta.from ?? 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .editable()
    .withVariable(datasourceVariable());
}
