// headroom exporters: is the monitoring itself working? Collector success, durations, the age
// of the data each collector serves, and the health of Prometheus' scrapes of the exporters.
import * as units from '@grafana/grafana-foundation-sdk/units';
import { collectorDuration, collectorLastSuccess, collectorSuccess, sourceLastSuccess, sourceUp } from '../src/runtime.js';
import { buildInfo } from '../src/self-metrics.js';
import { dashboard, instanceVariable, okFailed, PanelFactory, rising } from './panels.js';
import { defaultAlertsConfig, select, type AlertsConfig } from '../alerts/config.js';
import { scopedQueries } from './promql.js';

export const EXPORTERS_UID = 'headroom-exporters';

export function exportersDashboard(alerts: AlertsConfig = defaultAlertsConfig) {
  // The user's label selectors, as the alert rules apply them: a panel shows what its alert sees.
  const { sel } = scopedQueries(alerts.selectors);
  // Prometheus' own per-target series, selected like HeadroomExporterDown selects `up`.
  const ofTarget = (series: string) => select(series, alerts.selectors.headroomJob, 'instance=~"$instance"');
  const up = ofTarget('up');
  const scrapeDuration = ofTarget('scrape_duration_seconds');
  const scrapeSamples = ofTarget('scrape_samples_scraped');
  const p = new PanelFactory();
  const d = dashboard({
    uid: EXPORTERS_UID,
    title: 'headroom / Exporters',
    description: 'Health of the headroom exporters: collector success, durations, data age and scrape health.',
    from: 'now-6h',
  }).withVariable(instanceVariable(buildInfo, 'Exporter'));

  d.withRow(p.row('Overview'));
  d.withPanel(
    p.stat({
      title: 'Exporters up',
      description: 'Selected headroom exporters that answered Prometheus\' last scrape, out of those selected.',
      unit: units.Short,
      queries: [
        { expr: `sum(${up} and on (instance, job) ${sel(buildInfo)})`, legend: 'up', instant: true },
        { expr: `count(${sel(buildInfo)})`, legend: 'selected', instant: true },
      ],
      w: 6,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Collectors failing',
      description: 'Collectors whose last refresh failed (HeadroomCollectorFailing fires when it lasts); the status page says why.',
      unit: units.Short,
      queries: [{ expr: `count(${sel(collectorSuccess)} == 0) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 6,
      h: 4,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Versions',
      description: 'headroom version of each exporter: mixed versions during a rollout are expected, afterwards not.',
      unit: units.NoUnit,
      queries: [{ expr: sel(buildInfo), instant: true, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true } } }],
      w: 12,
      h: 4,
    }),
  );

  d.withRow(p.row('Collectors'));
  d.withPanel(
    p.timeline({
      title: 'Collector success',
      description: 'Whether each collector\'s last refresh succeeded, over time; a failed one keeps serving its last good data.',
      unit: units.NoUnit,
      queries: [{ expr: sel(collectorSuccess), legend: '{{instance}} {{collector}}' }],
      mappings: okFailed(),
      steps: [['red', null], ['green', 1]],
      w: 24,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Collection duration',
      description: 'Duration of each collector\'s last refresh (the slowest source for obs and backup).',
      unit: units.Seconds,
      queries: [{ expr: sel(collectorDuration), legend: '{{instance}} {{collector}}' }],
      min: 0,
      w: 12,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Data age',
      description: 'Seconds since each collector\'s data was last collected successfully: what a scrape serves is this old.',
      unit: units.Seconds,
      queries: [{ expr: `time() - ${sel(collectorLastSuccess)}`, legend: '{{instance}} {{collector}}' }],
      min: 0,
      w: 12,
      h: 8,
    }),
  );

  d.withRow(p.row('Scrapes'));
  d.withPanel(
    p.timeline({
      title: 'Scrape health',
      description: 'Whether Prometheus could scrape each exporter (the up series).',
      unit: units.NoUnit,
      queries: [{ expr: `${up} and on (instance, job) ${sel(buildInfo)}`, legend: '{{instance}}' }],
      mappings: okFailed('up', 'down'),
      steps: [['red', null], ['green', 1]],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Scrape duration',
      description: 'How long each scrape took; background collectors keep this short, scrape-time ones add their read time.',
      unit: units.Seconds,
      queries: [{ expr: `${scrapeDuration} and on (instance, job) ${sel(buildInfo)}`, legend: '{{instance}}' }],
      min: 0,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Samples per scrape',
      description: 'Series each exporter serves: a jump means a new source (or a label exploding), a drop a source gone.',
      unit: units.Short,
      queries: [{ expr: `${scrapeSamples} and on (instance, job) ${sel(buildInfo)}`, legend: '{{instance}}' }],
      min: 0,
      w: 8,
      h: 8,
    }),
  );

  // Last, so the ids of the panels above stay what links and provisioning know.
  d.withRow(p.row('Sources'));
  d.withPanel(
    p.timeline({
      title: 'Source health',
      description: 'Whether each source\'s last refresh succeeded (an OBS instance, a backup target, libvirt, smartctl, a host\'s files); a failed one keeps serving its last good data, the status page says why.',
      unit: units.NoUnit,
      queries: [{ expr: sel(sourceUp), legend: '{{instance}} {{collector}}/{{source}}' }],
      mappings: okFailed(),
      steps: [['red', null], ['green', 1]],
      w: 12,
      h: 8,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Source data age',
      description: 'Seconds since each source last refreshed successfully, per exporter: how old the data it serves is. Absent until its first success.',
      unit: units.Seconds,
      queries: [{ expr: `time() - ${sel(sourceLastSuccess)}`, instant: true, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true }, renameByName: { Value: 'data age' } } }],
      w: 12,
      h: 8,
    }),
  );
  return d;
}
