// A user's alerting selectors reach the dashboards: every series a panel shares with an alert
// rule is selected with the same user matchers as in the rule file `headroom generate` writes
// from the same config. Both sides are read back from the generated files, not the builders.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliPath } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';
import { panelQueries, type DashboardJson } from './panels.js';

/** One matcher per selector key, each distinguishable in a query (and its `source=` form). */
const SELECTORS: Record<string, string> = {
  headroom_job: 'job="hr"',
  headroom: 'cluster="prod"',
  obs: 'obs="prod"',
  worker: 'role="obs-worker"',
  swap: 'disk_class="ssd"',
  pressure: 'psi="on"',
  vmhost: 'role="vm-host"',
  backup: 'target=~"db.*"',
};
const USER_MATCHERS = new Set([...Object.values(SELECTORS), 'source="prod"', 'source=~"db.*"']);

/** `a="x", b=~"y,z"` → its matchers, split on commas outside quotes. */
function matchersOf(body: string): string[] {
  return (body.match(/\w+\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g) ?? []).map((m) => m.replace(/\s+/g, ''));
}

interface Selection {
  /** The metric, and for the runtime's health series the collector they are selected for. */
  key: string;
  user: string;
}

/** Every `metric{...}` selector of a PromQL expression with the user matchers it carries. */
function selections(expr: string): Selection[] {
  const out: Selection[] = [];
  for (const m of expr.matchAll(/([a-zA-Z_][a-zA-Z0-9_:]*)\{([^}]*)\}/g)) {
    const [, name, body] = m;
    if (name!.includes(':')) continue; // recorded series: the recording rule applied the selectors
    const matchers = matchersOf(body!);
    const collector = name!.startsWith('headroom_collector_') ? (matchers.find((x) => x.startsWith('collector=')) ?? '') : '';
    const user = matchers.filter((x) => USER_MATCHERS.has(x)).sort().join(',');
    out.push({ key: `${name}${collector}`, user });
  }
  return out;
}

describe('dashboards rendered with the alerting selectors', () => {
  const dir = tempDir('headroom-dash-selectors-');
  const config = path.join(dir, 'headroom.yml');
  const selectorYaml = Object.entries(SELECTORS).map(([k, v]) => `      ${k}: '${v}'`).join('\n');
  writeFileSync(config, `collectors: {}\nalerting:\n  rules:\n    selectors:\n${selectorYaml}\n`);
  const out = path.join(dir, 'out');
  const run = spawnSync(process.execPath, [cliPath, 'generate', '--config', config, '--out', out], { encoding: 'utf8' });

  it('headroom generate accepts the config', () => {
    expect(run.status, run.stderr + run.stdout).toBe(0);
  });

  const rules = parse(readFileSync(path.join(out, 'rules', 'headroom.rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
  const inRules = new Map<string, Set<string>>();
  for (const r of rules.groups.flatMap((g) => g.rules)) {
    for (const s of selections(r.expr)) inRules.set(s.key, (inRules.get(s.key) ?? new Set()).add(s.user));
  }
  const dashboardDir = path.join(out, 'dashboards');
  const queries = readdirSync(dashboardDir).flatMap((f) => panelQueries(JSON.parse(readFileSync(path.join(dashboardDir, f), 'utf8')) as DashboardJson));

  it('the rules select each series one way (the reference the panels are held to)', () => {
    const ambiguous = [...inRules].filter(([, users]) => users.size !== 1).map(([key, users]) => `${key}: ${[...users].join(' | ')}`);
    expect(ambiguous).toEqual([]);
    expect(inRules.get('headroom_obs_jobs_waiting')).toEqual(new Set(['cluster="prod",obs="prod"']));
  });

  it('every panel selects a series it shares with an alert with the alert\'s user matchers', () => {
    const compared: string[] = [];
    const differ: string[] = [];
    for (const q of queries) {
      for (const s of selections(q.expr)) {
        const expected = inRules.get(s.key);
        if (expected === undefined) continue;
        compared.push(s.key);
        if (!expected.has(s.user)) differ.push(`${q.dashboard} / ${q.panel}: ${s.key} has {${s.user}}, the rules {${[...expected].join(' | ')}}`);
      }
    }
    expect(differ).toEqual([]);
    // Not vacuous: series of every collector and the runtime's health were compared.
    for (const key of ['headroom_obs_jobs_waiting', 'headroom_memory_overcommit_ratio', 'headroom_ssd_wear_used_ratio', 'headroom_pressure_memory_stalled_seconds_total', 'headroom_vmhost_memory_overcommit_ratio', 'headroom_backup_max_age_seconds', 'headroom_collector_source_upcollector="obs"', 'headroom_collector_source_upcollector="vmhost"', 'up']) {
      expect(compared, key).toContain(key);
    }
  });

  it('every headroom series a panel selects carries the headroom selector', () => {
    const missing = queries.flatMap((q) =>
      selections(q.expr)
        .filter((s) => s.key.startsWith('headroom_') && !s.user.includes('cluster="prod"'))
        .map((s) => `${q.dashboard} / ${q.panel}: ${s.key}`),
    );
    expect(missing).toEqual([]);
  });
});
