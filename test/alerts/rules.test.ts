// The rule file: committed copy equals what the sources render, promtool accepts it, every alert
// follows the mixin conventions (mixtool lint rules) and has promtool unit tests that pass.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mergeAlertsConfig } from '../../alerts/config.js';
import { renderRules } from '../../alerts/render.js';
import { repoRoot } from '../support/exporter.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const alertsDir = path.join(repoRoot, 'alerts');
const rulesFile = path.join(alertsDir, 'headroom.rules.yml');
const testsDir = path.join(alertsDir, 'tests');
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')).sort();

interface RawRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RawFile {
  groups: Array<{ name: string; rules: RawRule[] }>;
}

const committed = readFileSync(rulesFile, 'utf8');
const parsed = parse(committed) as RawFile;
const alertRules = parsed.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));

// The alerts the issue asks for by name; more may exist, none of these may go missing.
const REQUIRED = [
  'OBSApiDown', 'OBSSchedulerNotRunning', 'OBSDispatcherNotRunning', 'OBSQueueBacklog', 'OBSWorkersDown',
  'OBSBuildStuck', 'WorkerMemoryOvercommitted', 'WorkerSwapChurnHigh', 'SSDWearOutSoon', 'SSDWearHigh',
  'VMHostMemoryOvercommitted', 'VMHostVCPUOvercommitHigh', 'BackupStale', 'BackupCheckFailing',
  'HeadroomCollectorFailing', 'HeadroomExporterDown',
];

describe('alerts/headroom.rules.yml', () => {
  it('is exactly what the TypeScript sources render with the default config (run npm run render:alerts)', () => {
    expect(committed).toBe(renderRules());
  });

  it('passes promtool check rules', () => {
    const r = runTool('promtool', ['check', 'rules', rulesFile]);
    expect(r.stderr + r.stdout).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('holds every alert the issue names', () => {
    const names = new Set(alertRules.map((r) => r.alert));
    for (const name of REQUIRED) expect(names, name).toContain(name);
  });
});

// monitoring-mixins/mixtool pkg/mixer/lint.go, rule by rule.
describe('mixtool lint rules over the rendered file', () => {
  it('alert-name-camelcase and alert-name-length', () => {
    for (const r of alertRules) {
      expect(r.alert, r.alert).toMatch(/^([A-Z]+[a-z0-9]+)+$/);
      expect(r.alert!.length, r.alert).toBeLessThanOrEqual(40);
    }
  });

  it('alert-severity-rule: severity is critical, warning or info', () => {
    for (const r of alertRules) expect(['critical', 'warning', 'info'], r.alert).toContain(r.labels?.severity);
  });

  it('alert-description: present and templated', () => {
    for (const r of alertRules) expect(r.annotations?.description, r.alert).toMatch(/\{\{.+\}\}/);
  });

  it('alert-summary: present, not templated, capitalised and ending with a period', () => {
    for (const r of alertRules) {
      const summary = r.annotations?.summary ?? '';
      expect(summary, r.alert).not.toContain('{{');
      expect(summary, r.alert).toMatch(/^[A-Z].+\.$/);
    }
  });

  it('alerts sharing a name share their summary (it must expand the same for a grouped notification)', () => {
    const byName = new Map<string, Set<string>>();
    for (const r of alertRules) byName.set(r.alert!, (byName.get(r.alert!) ?? new Set()).add(r.annotations!.summary!));
    for (const [name, summaries] of byName) expect(summaries.size, name).toBe(1);
  });

  it('group rule count at most 20 and group name length at most 40', () => {
    for (const g of parsed.groups) {
      expect(g.rules.length, g.name).toBeLessThanOrEqual(20);
      expect(g.name.length, g.name).toBeLessThanOrEqual(40);
    }
  });

  it('runbook_url points at the alert\'s section of docs/runbooks.md', () => {
    const runbooks = readFileSync(path.join(repoRoot, 'docs/runbooks.md'), 'utf8');
    // GitHub anchors of "## Name" headings: the lower-cased name.
    const anchors = new Set([...runbooks.matchAll(/^## (\w+)\s*$/gm)].map((m) => m[1]!.toLowerCase()));
    for (const r of alertRules) {
      expect(r.annotations?.runbook_url, r.alert).toBe(`https://headroom.example.org/docs/runbooks.md#${r.alert!.toLowerCase()}`);
      expect(anchors, `docs/runbooks.md has no "## ${r.alert}" section`).toContain(r.alert!.toLowerCase());
    }
  });

  it('recording rules are named level:metric:operations', () => {
    const records = parsed.groups.flatMap((g) => g.rules.filter((r) => r.record !== undefined));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r.record).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
  });
});

interface RuleTestFile {
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: Array<{ exp_labels: Record<string, string> }> }> }>;
}

describe('promtool unit tests (alerts/tests)', () => {
  it('cover every alert and severity: firing with labels, and silent (pending or below threshold)', () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const f of testFiles) {
      const doc = parse(readFileSync(path.join(testsDir, f), 'utf8')) as RuleTestFile;
      for (const t of doc.tests) {
        for (const a of t.alert_rule_test ?? []) {
          if (!a.exp_alerts || a.exp_alerts.length === 0) silent.add(a.alertname);
          for (const e of a.exp_alerts ?? []) firing.add(`${a.alertname}/${e.exp_labels.severity}`);
        }
      }
    }
    for (const r of alertRules) {
      expect(firing, `no test where ${r.alert} (${r.labels!.severity}) fires`).toContain(`${r.alert}/${r.labels!.severity}`);
      expect(silent, `no test where ${r.alert} stays silent`).toContain(r.alert);
    }
  });

  it.each(testFiles)('%s passes promtool test rules', (file) => {
    const r = runTool('promtool', ['test', 'rules', path.join(testsDir, file)]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('fail when a threshold moves: the tests pin the thresholds they claim to (a test that cannot fail is none)', () => {
    // The same tests against rules rendered with an override that puts the queue threshold
    // above the simulated queue (145 jobs): OBSQueueBacklog must then be reported missing.
    const dir = tempDir();
    mkdirSync(path.join(dir, 'tests'));
    writeFileSync(path.join(dir, 'headroom.rules.yml'), renderRules(mergeAlertsConfig({ thresholds: { obsQueueBacklogJobs: 150 } })));
    copyFileSync(path.join(testsDir, 'obs.test.yml'), path.join(dir, 'tests', 'obs.test.yml'));
    const r = runTool('promtool', ['test', 'rules', path.join(dir, 'tests', 'obs.test.yml')]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('alertname: OBSQueueBacklog');
  });

  it('fail when a `for` duration changes: the pending checks are real', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'tests'));
    writeFileSync(path.join(dir, 'headroom.rules.yml'), renderRules(mergeAlertsConfig({ for: { BackupStale: '0s' } })));
    copyFileSync(path.join(testsDir, 'backup.test.yml'), path.join(dir, 'tests', 'backup.test.yml'));
    const r = runTool('promtool', ['test', 'rules', path.join(dir, 'tests', 'backup.test.yml')]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('alertname: BackupStale');
  });
});

describe('config overrides reach the expressions', () => {
  it('thresholds, for durations, selectors, windows and the runbook pattern', () => {
    const text = renderRules(
      mergeAlertsConfig({
        thresholds: { obsQueueBacklogJobs: 250, obsBuildStuckAge: '2d' },
        for: { OBSApiDown: '10m' },
        selectors: { headroomJob: 'job="exporters"', headroom: 'cluster="prod"' },
        windows: { rate: '10m' },
        runbookUrlPattern: 'https://wiki.example.org/runbooks/%s',
      }),
    );
    const doc = parse(text) as RawFile;
    const rules = doc.groups.flatMap((g) => g.rules);
    const byAlert = (name: string) => rules.find((r) => r.alert === name)!;
    expect(byAlert('OBSQueueBacklog').expr).toContain('obs:headroom_obs_jobs_waiting:sum > 250 ');
    // 2 days = 2 x 86400 s.
    expect(byAlert('OBSBuildStuck').expr).toBe(
      'time() - headroom_obs_build_start_timestamp_seconds{cluster="prod"} > 172800 or (time() - headroom_obs_oldest_build_start_timestamp_seconds{cluster="prod"} > 172800 unless on (obs, arch) headroom_obs_build_start_timestamp_seconds{cluster="prod"})',
    );
    expect(byAlert('OBSApiDown').for).toBe('10m');
    expect(byAlert('OBSApiDown').expr).toBe('headroom_collector_source_up{cluster="prod",collector="obs"} == 0');
    expect(byAlert('HeadroomExporterDown').expr).toBe('up{job="exporters"} == 0');
    expect(byAlert('OBSApiDown').annotations!.runbook_url).toBe('https://wiki.example.org/runbooks/obsapidown');
    expect(rules.find((r) => r.record === 'instance:headroom_swap_in_bytes:rate')!.expr).toBe(
      'rate(headroom_swap_in_bytes_total{cluster="prod"}[10m])',
    );
    // Untouched defaults stay.
    expect(byAlert('OBSWorkersDown').for).toBe('15m');
  });

  it('an obs or backup selector reaches the per-source health alerts under the source label', () => {
    const rules = parse(
      renderRules(mergeAlertsConfig({ selectors: { obs: 'obs=~"prod-.*",region="eu"', backup: 'target!="scratch"' } })),
    ) as RawFile;
    const byAlert = (name: string) => rules.groups.flatMap((g) => g.rules).find((r) => r.alert === name)!;
    expect(byAlert('OBSApiDown').expr).toBe('headroom_collector_source_up{collector="obs",source=~"prod-.*",region="eu"} == 0');
    expect(byAlert('BackupCheckFailing').expr).toBe('headroom_collector_source_up{collector="backup",source!="scratch"} == 0');
    // The collector's own series keep the label the user wrote.
    expect(byAlert('OBSBuildStuck').expr).toContain('headroom_obs_oldest_build_start_timestamp_seconds{obs=~"prod-.*",region="eu"}');
  });
});
