import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultAlertsConfig } from '../../alerts/config.js';
import { recordingRules } from '../../alerts/recording.js';
import { dashboardsGenerator } from '../../dashboards/generator.js';
import { renderDashboards } from '../../dashboards/index.js';
import { backupMetrics } from '../../exporters/backup/metrics.js';
import { obsMetrics } from '../../exporters/obs/metrics.js';
import { swapCatalog } from '../../exporters/swap/metrics.js';
import { pressureCatalog } from '../../exporters/pressure/metrics.js';
import { vmhostMetrics } from '../../exporters/vmhost/metrics.js';
import { workerCatalog } from '../../exporters/worker/metrics.js';
import { artifactGenerators } from '../../src/generators.js';
import { runtimeMetrics } from '../../src/runtime.js';
import { selfMetrics } from '../../src/self-metrics.js';
import { seriesNames } from '../../src/metrics.js';
import { cliPath } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';
import { committedDashboards, leafPanels, metricNames, panelQueries, type DashboardJson } from './panels.js';

const committed = committedDashboards();
const dashboards = [...committed.values()].map((text) => JSON.parse(text) as DashboardJson);

/** The six dashboards of issue 8, by the uids links and provisioning rely on. */
const EXPECTED_UIDS = [
  'headroom-backups',
  'headroom-estate-capacity',
  'headroom-exporters',
  'headroom-obs-build-service',
  'headroom-tmpfs-overcommit',
  'headroom-vm-density',
];

/** Every metric name an exporter can serve, from the catalogs (not from the dashboards). */
const catalog = new Set(
  [...obsMetrics, ...workerCatalog, ...swapCatalog, ...pressureCatalog, ...vmhostMetrics, ...backupMetrics, ...runtimeMetrics, ...selfMetrics].flatMap(seriesNames),
);
const recordedNames = new Set(recordingRules(defaultAlertsConfig).map((r) => r.record));
/** Prometheus' own per-target series the exporters dashboard reads. */
const prometheusSeries = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** Names a query reads that neither an exporter nor a recording rule nor Prometheus provides. */
function unknownNames(expr: string): string[] {
  return metricNames(expr).filter((n) => !(catalog.has(n) || recordedNames.has(n) || prometheusSeries.has(n)));
}

describe('rendered dashboards', () => {
  it('the committed dashboards/*.json are exactly what the sources render (run npm run render:dashboards after a change)', () => {
    const rendered = renderDashboards();
    expect([...committed.keys()]).toEqual(rendered.map((d) => d.file).sort());
    for (const d of rendered) expect(committed.get(d.file), `${d.file} differs from its source`).toBe(d.json);
  });

  it('has the six dashboards with stable uids', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual(EXPECTED_UIDS);
  });

  it('headroom generate writes the same files under dashboards/', () => {
    expect(artifactGenerators).toContain(dashboardsGenerator);
    const dir = tempDir('headroom-dash-gen-');
    const config = path.join(dir, 'headroom.yml');
    writeFileSync(config, 'collectors: {}\n');
    const out = path.join(dir, 'out');
    const run = spawnSync(process.execPath, [cliPath, 'generate', '--config', config, '--out', out], { encoding: 'utf8' });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    for (const [file, text] of committed) {
      expect(readFileSync(path.join(out, 'dashboards', file), 'utf8'), file).toBe(text);
    }
  });
});

describe('dashboard conventions', () => {
  for (const d of dashboards) {
    describe(d.uid, () => {
      it('has a Prometheus datasource variable, and every panel and query uses it', () => {
        const ds = d.templating.list.find((v) => v.name === 'datasource');
        expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
        for (const v of d.templating.list.filter((v) => v.type === 'query')) expect(v.datasource?.uid, v.name).toBe('${datasource}');
        for (const p of leafPanels(d)) {
          expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
          for (const t of p.targets ?? []) expect(t.datasource, `${p.title} ${t.refId}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
        }
      });

      it('has an instance variable', () => {
        expect(d.templating.list.map((v) => v.name)).toContain('instance');
      });

      it('gives every panel a one-line description, a unit, thresholds and distinct ids; every query a refId', () => {
        const panels = leafPanels(d);
        expect(panels.length).toBeGreaterThan(3);
        for (const p of panels) {
          expect(p.description, p.title).toMatch(/^[^\n]{10,}$/);
          expect(p.fieldConfig?.defaults?.unit, p.title).toBeTruthy();
          expect(p.fieldConfig?.defaults?.thresholds?.steps?.[0], p.title).toMatchObject({ value: null });
          expect(p.targets?.length, p.title).toBeGreaterThan(0);
          const refIds = (p.targets ?? []).map((t) => t.refId);
          expect(new Set(refIds).size, p.title).toBe(refIds.length);
          for (const r of refIds) expect(r, p.title).toMatch(/^[A-Z]$/);
        }
        const ids = d.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((c) => c.id)]);
        expect(new Set(ids).size).toBe(ids.length);
      });

      it('queries only headroom_ metrics that exist in the exporters\' catalogs, and recorded series of the alert rules', () => {
        const queries = panelQueries(d);
        for (const q of queries) {
          expect(metricNames(q.expr).length, `${q.panel} ${q.refId}: ${q.expr}`).toBeGreaterThan(0);
          expect(unknownNames(q.expr), `${q.panel} ${q.refId}: ${q.expr}`).toEqual([]);
        }
      });
    });
  }

  it('the OBS dashboard has an obs variable and repeats a row per OBS instance', () => {
    const obs = dashboards.find((d) => d.uid === 'headroom-obs-build-service')!;
    expect(obs.templating.list.map((v) => v.name)).toContain('obs');
    expect(obs.panels.find((p) => p.type === 'row' && p.repeat === 'obs')).toBeDefined();
  });

  it('the capacity review repeats a row per host', () => {
    const estate = dashboards.find((d) => d.uid === 'headroom-estate-capacity')!;
    expect(estate.panels.find((p) => p.type === 'row' && p.repeat === 'instance')).toBeDefined();
  });
});

describe('the metric-name check itself', () => {
  it('finds the metric names of an expression and ignores functions, labels and keywords', () => {
    expect(
      metricNames('sum by (instance) (rate(headroom_swap_in_bytes_total{device=~"sd.*"}[5m])) / on (instance) group_left () headroom_memory_ram_bytes > bool 0'),
    ).toEqual(['headroom_swap_in_bytes_total', 'headroom_memory_ram_bytes']);
    expect(metricNames('count(instance:headroom_swap_in_bytes:rate{instance=~"$instance"} > 1) or vector(0)')).toEqual([
      'instance:headroom_swap_in_bytes:rate',
    ]);
  });

  it('flags a metric no catalog has and a misspelt recorded series', () => {
    expect(unknownNames('headroom_obs_jobs_waitin{obs="x"} + instance:headroom_swap_in_bytes:rat')).toEqual([
      'headroom_obs_jobs_waitin',
      'instance:headroom_swap_in_bytes:rat',
    ]);
  });
});
