// The metric tables in docs/ against the catalogs the exporter serves from: every metric is
// documented on its collector's page with the catalog's labels, and no page documents a metric
// that does not exist. A renamed metric or a new label fails here until the docs follow.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupMetrics } from '../../exporters/backup/metrics.js';
import { collectorModules } from '../../exporters/index.js';
import { obsMetrics } from '../../exporters/obs/metrics.js';
import { pressureCatalog } from '../../exporters/pressure/metrics.js';
import { swapCatalog } from '../../exporters/swap/metrics.js';
import { vmhostMetrics } from '../../exporters/vmhost/metrics.js';
import { workerCatalog } from '../../exporters/worker/metrics.js';
import type { MetricDef } from '../../src/metrics.js';
import { runtimeMetrics } from '../../src/runtime.js';
import { selfMetrics } from '../../src/self-metrics.js';
import { documentedMetrics, parseLabels, type DocumentedMetric } from './metric-tables.js';

const root = path.resolve(import.meta.dirname, '../..');
const docs = path.join(root, 'docs');

/** Each collector's catalog, and the page that documents it. */
const collectorCatalogs: Record<string, readonly MetricDef[]> = {
  obs: obsMetrics,
  worker: workerCatalog,
  swap: swapCatalog,
  pressure: pressureCatalog,
  vmhost: vmhostMetrics,
  backup: backupMetrics,
};
/** Series every exporter serves whatever runs: documented with the runtime. */
const runtimeCatalog = [...runtimeMetrics, ...selfMetrics];
const RUNTIME_PAGE = 'architecture.md';

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : [],
  );
}

const documented: DocumentedMetric[] = markdownFiles(docs).flatMap((file) =>
  documentedMetrics(path.relative(docs, file), readFileSync(file, 'utf8')),
);

function rowsOf(page: string): Map<string, DocumentedMetric> {
  return new Map(documented.filter((d) => d.file === page).map((d) => [d.name, d]));
}

describe('the table reader', () => {
  it('reads both table shapes, several names per row and label notes', () => {
    const page = [
      '| metric | labels | meaning |',
      '| --- | --- | --- |',
      '| `headroom_a` | `obs, arch` | x |',
      '| `headroom_b`, `headroom_c` | device (disk kernel name) | y `headroom_not_a_row` |',
      '',
      '| metric | meaning |',
      '| --- | --- |',
      '| `headroom_d{collector,source}` | z |',
      '| `headroom_e` | w |',
    ].join('\n');
    expect(documentedMetrics('p.md', page).map((d) => [d.name, d.labels.join(',')])).toEqual([
      ['headroom_a', 'obs,arch'],
      ['headroom_b', 'device'],
      ['headroom_c', 'device'],
      ['headroom_d', 'collector,source'],
      ['headroom_e', ''],
    ]);
    expect(parseLabels('`domain`, `state`')).toEqual(['domain', 'state']);
  });
});

describe('docs/ metric tables against the catalogs', () => {
  it('covers every collector module', () => {
    expect(Object.keys(collectorCatalogs).sort()).toEqual(collectorModules.map((m) => m.name).sort());
  });

  const pages: Array<[string, readonly MetricDef[]]> = [
    ...Object.entries(collectorCatalogs).map(([name, catalog]): [string, readonly MetricDef[]] => [`collectors/${name}.md`, catalog]),
    [RUNTIME_PAGE, runtimeCatalog],
  ];
  for (const [page, catalog] of pages) {
    it(`${page} documents every metric of its catalog with the catalog's labels`, () => {
      const rows = rowsOf(page);
      const missing = catalog.filter((m) => !rows.has(m.name)).map((m) => m.name);
      expect(missing, `not in a metric table of docs/${page}`).toEqual([]);
      const wrongLabels = catalog
        .filter((m) => rows.has(m.name) && rows.get(m.name)!.labels.join(', ') !== m.labels.join(', '))
        .map((m) => `${m.name}: docs say {${rows.get(m.name)!.labels.join(', ')}}, the catalog {${m.labels.join(', ')}}`);
      expect(wrongLabels).toEqual([]);
    });
  }

  it('documents no metric that no catalog has', () => {
    const known = new Set([...Object.values(collectorCatalogs).flat(), ...runtimeCatalog].map((m) => m.name));
    // Recording rules' series (headroom:…) are the alert rules', documented with them.
    const unknown = documented.filter((d) => !d.name.includes(':') && !known.has(d.name)).map((d) => `docs/${d.file}:${d.line} ${d.name}`);
    expect(unknown).toEqual([]);
  });
});
