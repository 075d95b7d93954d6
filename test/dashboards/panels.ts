// Reads the rendered dashboard JSON the way Grafana does: test code, independent of the
// builders that wrote it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/exporter.js';

export interface PanelJson {
  id?: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  repeat?: string;
  panels?: PanelJson[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps?: Array<{ color: string; value: number | null }> } } };
  targets?: Array<{ expr?: string; refId?: string; datasource?: { type?: string; uid?: string }; instant?: boolean }>;
}

export interface DashboardJson {
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: Array<{ name: string; type: string; query?: unknown; datasource?: { uid?: string } }> };
}

export const dashboardsDir = path.join(repoRoot, 'dashboards');

/** The committed dashboards/<uid>.json files, by file name. */
export function committedDashboards(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort()) {
    out.set(f, readFileSync(path.join(dashboardsDir, f), 'utf8'));
  }
  return out;
}

/** Every panel that is not a row, including those nested in collapsed rows. */
export function leafPanels(d: DashboardJson): PanelJson[] {
  const out: PanelJson[] = [];
  const walk = (ps: PanelJson[]) => {
    for (const p of ps) {
      if (p.type === 'row') walk(p.panels ?? []);
      else out.push(p);
    }
  };
  walk(d.panels);
  return out;
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

export function panelQueries(d: DashboardJson): PanelQuery[] {
  return leafPanels(d).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ dashboard: d.uid, panel: p.title, refId: t.refId ?? '?', expr: t.expr ?? '' })),
  );
}

/**
 * Metric names a PromQL expression reads: identifiers outside strings that are not functions,
 * keywords, label names in by/without/on/ignoring lists, or durations.
 */
export function metricNames(expr: string): string[] {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  // Label lists of aggregations and vector matching, and label matchers inside braces.
  const noLabelLists = noStrings
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  const re = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  let m;
  while ((m = re.exec(noLabelLists))) {
    const word = m[0];
    const after = noLabelLists.slice(m.index + word.length).trimStart();
    if (after.startsWith('(')) continue; // a function or aggregation
    if (['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan'].includes(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}
