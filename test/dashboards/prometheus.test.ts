// Every panel query of the rendered dashboards, run against a real Prometheus that scraped a
// real exporter (simulated OBS API, fixture host tree, libvirt's test driver, a files backup
// target) with the alert rules' recording rules loaded.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultAlertsConfig } from '../../alerts/config.js';
import { recordingRules } from '../../alerts/recording.js';
import { generateWorkerStatus, type GeneratedWorkerStatus } from '../../sim/obs/generator.js';
import { startObsSimulator, type ObsSimulator } from '../../sim/obs/server.js';
import { startLibvirtd, type TestLibvirtd } from '../../sim/libvirtd.js';
import { startPrometheus, type PrometheusServer } from '../../sim/stack.js';
import { waitFor } from '../../sim/net.js';
import { repoRoot, startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';
import { host, writeHostTree } from './host-tree.js';
import { committedDashboards, panelQueries, type DashboardJson, type PanelQuery } from './panels.js';

const dashboards = [...committedDashboards().values()].map((t) => JSON.parse(t) as DashboardJson);
const queries = dashboards.flatMap(panelQueries);

/**
 * Queries that cannot return data in this setup, and why. Every other query must.
 * Keyed `uid / panel title / refId`.
 */
const NO_DATA_HERE: Record<string, string> = {
  'headroom-estate-capacity / SSD wear / A': 'no SMART data (smartctl off: no SSD here)',
  'headroom-estate-capacity / Time until SSDs reach their rated endurance / A': 'no SMART data',
  'headroom-estate-capacity / Time until VM memory allocation reaches host RAM / A': 'allocation is flat: only growing hosts are shown',
  'headroom-estate-capacity / Time until build-root tmpfs peaks reach RAM + swap / A': 'tmpfs peak is flat: only growing peaks are shown',
  'headroom-estate-capacity / Build-root tmpfs peak in 30 days, over RAM + swap / A': 'the hourly subquery has no step inside the minute of data',
  'headroom-tmpfs-overcommit / Promise against its cost, per worker host / D': 'no SMART data',
  'headroom-tmpfs-overcommit / SSD writes caused by swap / C': 'no SMART data (and its rate needs a day)',
  'headroom-obs-build-service / Worker outcomes, last hour / A': 'the setup watches no repository (job history)',
  'headroom-obs-build-service / Build time per architecture (median and 90th percentile) / A': 'the setup watches no repository',
  'headroom-obs-build-service / Build time per architecture (median and 90th percentile) / B': 'the setup watches no repository',
  'headroom-obs-build-service / Jobs finished per hour, per worker host / A': 'the setup watches no repository',
  'headroom-obs-build-service / Median build time per worker host / A': 'the setup watches no repository',
  'headroom-obs-build-service / Daemon restarts per hour / A': 'no daemon restarts within the minute of data',
  'headroom-obs-build-service / Starved packages / A': 'the setup watches no project',
  'headroom-obs-build-service / Build durations / A': 'the setup watches no repository',
  'headroom-backups / Checks and restore tests / C': 'no restic or borg target here: no restore test',
  'headroom-backups / Checks and restore tests / D': 'no restic or borg target here: no restore test',
};

/** libvirt's built-in test driver (test+unix:///default, served by libvirtd) describes a fixed node with 16 CPUs. */
const TEST_DRIVER_CPUS = 16;

let obs: ObsSimulator;
let libvirtd: TestLibvirtd;
let exporter: ExporterProcess;
let prometheus: PrometheusServer;
let workerStatus: GeneratedWorkerStatus;
let instance: string;

function substitute(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '10m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$instance', instance.replace(/\./g, '\\\\.'))
    .replaceAll('$obs', 'sim');
}

function key(q: PanelQuery): string {
  return `${q.dashboard} / ${q.panel} / ${q.refId}`;
}

function queryOf(dashboard: string, panel: string, refId = 'A'): string {
  const q = queries.find((x) => x.dashboard === dashboard && x.panel === panel && x.refId === refId);
  if (!q) throw new Error(`no query ${dashboard} / ${panel} / ${refId}`);
  return substitute(q.expr);
}

async function single(expr: string): Promise<number> {
  const result = await prometheus.query(expr);
  expect(result, expr).toHaveLength(1);
  return Number(result[0]!.value[1]);
}

beforeAll(async () => {
  const dir = tempDir('headroom-dash-prom-');
  libvirtd = await startLibvirtd(path.join(dir, 'libvirtd'));
  const tree = writeHostTree(dir);
  // An etckeeper-style git target with an integrity check (git fsck), for the checks row.
  const etcGit = path.join(tree.rootfs, 'srv/etc-git');
  mkdirSync(etcGit, { recursive: true });
  writeFileSync(path.join(etcGit, 'hosts'), '127.0.0.1 localhost\n');
  const git = (...args: string[]) => execFileSync('git', ['-C', etcGit, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args]);
  git('init', '-q');
  git('add', 'hosts');
  git('commit', '-qm', 'etckeeper');
  workerStatus = generateWorkerStatus({ hosts: 7, instancesPerHost: 4, seed: 8, now: Math.floor(Date.now() / 1000) });
  const fixture = (f: string) => readFileSync(path.join(repoRoot, 'test/fixtures/obs', f), 'utf8');
  obs = await startObsSimulator({
    workerStatus: workerStatus.xml,
    results: { 'devel:tools': fixture('resultlist.api-opensuse-org-2020.devel_tools.package-ccls.xml') },
  });
  const config = path.join(dir, 'headroom.yml');
  writeFileSync(
    config,
    stringify({
      collectors: {
        obs: { instances: [{ name: 'sim', url: obs.url, schedule: '2s', timeout: '1s', projects: ['devel:tools'], per_worker_builds: true }] },
        worker: {},
        swap: { smartctl: false },
        pressure: {},
        vmhost: { libvirt_uri: `test+unix:///default?socket=${libvirtd.socketPath}`, schedule: '2s', timeout: '1s' },
        backup: {
          targets: [
            { name: 'dumps', kind: 'files', path: '/srv/dumps/*.sql.gz', max_age: `${host.backupMaxAgeSeconds}s`, schedule: '2s', timeout: '1s' },
            { name: 'etc', kind: 'git', path: '/srv/etc-git', max_age: '30d', schedule: '2s', timeout: '1s', integrity_check: {} },
          ],
        },
      },
    }),
  );
  exporter = await startExporterProcess([
    '--config', config,
    '--path.procfs', tree.procfs,
    '--path.sysfs', tree.sysfs,
    '--path.rootfs', tree.rootfs,
  ]);
  instance = new URL(exporter.url).host;
  const promDir = path.join(dir, 'prometheus');
  const rules = path.join(dir, 'prometheus-rules.yml');
  writeFileSync(rules, stringify({ groups: [{ name: 'headroom-recording', rules: recordingRules(defaultAlertsConfig) }] }));
  prometheus = await startPrometheus(
    promDir,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [rules],
      scrape_configs: [{ job_name: 'headroom', static_configs: [{ targets: [instance] }] }],
    }),
  );
  await prometheus.waitForTargetsUp(1);
  // Every collector has reported success, and rates (two samples) and recorded series exist.
  await waitFor(
    async () => {
      const ok = await prometheus.query('count(headroom_collector_success == 1) == 6');
      const swapRate = await prometheus.query('instance:headroom_swap_in_bytes:rate');
      const backup = await prometheus.query('target:headroom_backup_age_over_max_age:ratio');
      const packages = await prometheus.query('headroom_obs_packages');
      return ok.length && swapRate.length && backup.length && packages.length ? true : undefined;
    },
    'collectors, rates and recorded series in prometheus',
    40_000,
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  await libvirtd?.stop();
  await obs?.close();
});

describe('dashboard queries against Prometheus scraping a real exporter', () => {
  it('covers every panel query of every dashboard', () => {
    expect(queries.length).toBeGreaterThan(60);
    for (const k of Object.keys(NO_DATA_HERE)) expect(queries.map(key), k).toContain(k);
  });

  it('runs every panel query without error, and those whose metrics the setup produces return data', async () => {
    const failures: string[] = [];
    for (const q of queries) {
      let result: unknown[];
      try {
        result = await prometheus.query(substitute(q.expr));
      } catch (err) {
        failures.push(`${key(q)}: ${(err as Error).message}`);
        continue;
      }
      const expectData = !(key(q) in NO_DATA_HERE);
      if (expectData && result.length === 0) failures.push(`${key(q)}: no data for ${substitute(q.expr)}`);
    }
    expect(failures).toEqual([]);
  });

  it('shows the worker host\'s memory promise: (16 x 8 GiB tmpfs + 16 x 6 GiB VM memory) / (64 GiB RAM + 32 GiB swap)', async () => {
    const expected = (host.instances * host.rootSizeBytes + host.instances * host.instanceMemoryBytes) / (host.ramBytes + host.swapBytes);
    expect(expected).toBeCloseTo((16 * 8 + 16 * 6) / (64 + 32), 12);
    expect(await single(queryOf('headroom-estate-capacity', 'Memory promise'))).toBeCloseTo(expected, 9);
    expect(await single(queryOf('headroom-estate-capacity', 'RAM'))).toBe(64 * 1024 ** 3);
  });

  it('shows the OBS queue and workers the simulator was given', async () => {
    const waiting = Object.values(workerStatus.totals.waiting).reduce((a, b) => a + b, 0);
    expect(await single(queryOf('headroom-obs-build-service', 'Jobs waiting'))).toBe(waiting);
    const byState = await prometheus.query(queryOf('headroom-obs-build-service', 'Workers by state'));
    const building = Object.values(workerStatus.totals.byHostarch).reduce((a, s) => a + s.building, 0);
    expect(Number(byState.find((r) => r.metric.state === 'building')?.value[1])).toBe(building);
  });

  it('shows the backup\'s age against its objective: 2 h old against 26 h', async () => {
    // (the git target's commit was made moments ago: its ratio is near 0)
    const rows = await prometheus.query(queryOf('headroom-backups', 'Age against objective'));
    const ratio = Number(rows.find((r) => r.metric.target === 'dumps')?.value[1]);
    // The file was written 2 h old moments ago; allow the seconds the setup took.
    expect(ratio).toBeGreaterThanOrEqual(host.backupAgeSeconds / host.backupMaxAgeSeconds);
    expect(ratio).toBeLessThan((host.backupAgeSeconds + 120) / host.backupMaxAgeSeconds);
  });

  it('shows the cost of overcommit per VM for the fixture\'s build VM, by its -name', async () => {
    for (const panel of ['CPU wait per VM', 'Memory stall per VM']) {
      const result = await prometheus.query(queryOf('headroom-vm-density', panel));
      expect(result.map((r) => r.metric.domain), panel).toEqual(['obsbuild1']);
    }
  });

  it('shows the VM host\'s CPUs from libvirt\'s test node', async () => {
    expect(await single(queryOf('headroom-vm-density', 'CPUs'))).toBe(TEST_DRIVER_CPUS);
  });
});
