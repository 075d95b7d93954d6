// `headroom plan` end to end: a real Prometheus whose TSDB was backfilled by promtool from the
// farm in farm.ts, the built CLI, and the reports it writes. Expected answers are the farm's
// construction written out as arithmetic, never the planner's own functions.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../../sim/stack.js';
import { cliPath } from '../support/exporter.js';
import { freePort } from '../support/net.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { PrometheusQueryError, prometheusClient } from '../../planner/prometheus-api.js';
import { BACKUP, DAY, GiB, HOUR, SSD, farmOpenMetrics, w1Level } from './farm.js';

const DAYS = 7;

interface JsonReport {
  workers: {
    canAdd: number; mustRemove: number; net: number; pastBudget: string[];
    hosts: Array<{ host: string; configuredInstances: number; capacity: number; change: number; churnLimit: number | null; memoryLimit: number; limitedBy: string; pastBudget: boolean; budgetCrossingLoad: number | null; fit: { knee: number; base: number; slope: number }; peakTmpfsPerInstanceBytes: number; promisePerInstanceBytes: number }>;
  };
  vmhosts: {
    method: string; moves: Array<{ domain: string; from: string; to: string; memoryBytes: number; vcpus: number }>; memoryMovedBytes: number;
    before: Array<{ host: string; memoryRatio: number; vcpuRatio: number }>; after: Array<{ host: string; memoryRatio: number; vcpuRatio: number }>;
    maxAfter: { memory: number; vcpu: number };
  };
  forecasts: Array<{ kind: string; host: string; resource: string; status: string; runOut: number | null; earliest: number | null; latest: number | null }>;
  staleBackups: Array<{ target: string; staleSeconds: number; longestSeconds: number; intervals: unknown[] }>;
}

function plan(args: string[]) {
  return runTool(process.execPath, [cliPath, 'plan', ...args]);
}

describe('headroom plan against a backfilled Prometheus', () => {
  const dir = tempDir('headroom-plan-');
  // Whole minutes, one minute back: every sample is in Prometheus' past.
  const end = Math.floor(Date.now() / 60_000) * 60 - 60;
  const start = end - DAYS * DAY;
  let prom: PrometheusServer;
  let report: JsonReport;
  const out = path.join(dir, 'out');

  beforeAll(async () => {
    const om = path.join(dir, 'farm.om');
    writeFileSync(om, farmOpenMetrics({ end, days: DAYS }));
    const promDir = path.join(dir, 'prom');
    // Blocks as long as the history: with the default of 2 h, promtool reads the file once per
    // block (84 times for 7 days, about 20 s here); this way it takes under a second.
    const blocks = runTool('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', `--max-block-duration=${(DAYS + 1) * 24}h`, om, path.join(promDir, 'data')]);
    expect(blocks.status, blocks.stderr).toBe(0);
    // No scrape targets: the backfilled history is all it holds. Retention long enough to keep it.
    prom = await startPrometheus(promDir, 'global: { scrape_interval: 1m }\nscrape_configs: []\n', ['--storage.tsdb.retention.time=10y']);
    const run = plan(['--prometheus.url', prom.url, '--window', `${DAYS}d`, '--end', String(end), '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    report = JSON.parse(readFileSync(path.join(out, 'capacity-report.json'), 'utf8')) as JsonReport;
  }, 180_000);
  afterAll(async () => {
    await prom?.stop();
  });

  it('finds where w1 crosses the churn budget: 6 instances fit, 2 of its 8 must go', () => {
    const w1 = report.workers.hosts.find((h) => h.host === 'w1:9847')!;
    // Churn = 8 MB/s per instance above 4; the 20 MB/s budget is reached at 4 + 20/8 = 6.5.
    expect(w1.fit.knee).toBe(4);
    expect(w1.fit.slope).toBeCloseTo(8e6, -3);
    expect(Math.abs(w1.fit.base)).toBeLessThan(1e4);
    expect(w1.budgetCrossingLoad).toBeCloseTo(4 + 20 / 8, 2);
    expect(w1.churnLimit).toBe(6);
    // Promise per instance 4 GiB root + 2 GiB VM memory; (64 + 32) GiB / 6 GiB = 16.
    expect(w1.promisePerInstanceBytes).toBeCloseTo(6 * GiB, 0);
    expect(w1.memoryLimit).toBe(16);
    expect(w1.capacity).toBe(6);
    expect(w1.limitedBy).toBe('swap churn');
    expect(w1.change).toBe(6 - 8);
    expect(w1.pastBudget).toBe(true);
    expect(w1.peakTmpfsPerInstanceBytes).toBeCloseTo(1.5 * GiB, 0);
  });

  it('lets w2 (no churn) grow to its memory promise limit, and totals the estate', () => {
    const w2 = report.workers.hosts.find((h) => h.host === 'w2:9847')!;
    expect(w2.churnLimit).toBeNull();
    expect(w2.memoryLimit).toBe(96 / 6);
    expect(w2.capacity).toBe(16);
    expect(w2.limitedBy).toBe('memory promise');
    expect(w2.change).toBe(16 - 4);
    expect(w2.pastBudget).toBe(false);
    expect(report.workers.canAdd).toBe(12);
    expect(report.workers.mustRemove).toBe(2);
    expect(report.workers.net).toBe(12 - 2);
    expect(report.workers.pastBudget).toEqual(['w1:9847']);
  });

  it('proposes the one optimal move: web (32 GiB) from vm1 to vm2', () => {
    const v = report.vmhosts;
    expect(v.method).toBe('exact');
    expect(v.moves.map(({ domain, from, to, memoryBytes, vcpus }) => ({ domain, from, to, memoryBytes, vcpus }))).toEqual([{ domain: 'web', from: 'vm1:9847', to: 'vm2:9847', memoryBytes: 32 * GiB, vcpus: 4 }]);
    expect(v.memoryMovedBytes).toBe(32 * GiB);
    const ratios = (list: typeof v.before) => Object.fromEntries(list.map((h) => [h.host, [h.memoryRatio, h.vcpuRatio]]));
    // vm1 carries 96 GiB / 22 vCPUs (old-jenkins is shut off), vm2 32 / 8, vm3 48 / 24; each host 64 GiB, 16 CPUs.
    expect(ratios(v.before)).toEqual({ 'vm1:9847': [96 / 64, 22 / 16], 'vm2:9847': [32 / 64, 8 / 16], 'vm3:9847': [48 / 64, 24 / 16] });
    expect(ratios(v.after)).toEqual({ 'vm1:9847': [64 / 64, 18 / 16], 'vm2:9847': [64 / 64, 12 / 16], 'vm3:9847': [48 / 64, 24 / 16] });
    expect(v.maxAfter).toEqual({ memory: 1, vcpu: 1.5 });
  });

  it('keeps a pinned domain: with web pinned, db and one 8 GiB domain leave vm1', () => {
    const cfg = path.join(dir, 'pinned.yml');
    writeFileSync(cfg, `planner:\n  prometheus_url: ${prom.url}\n  window: ${DAYS}d\n  pinned_domains: { web: vm1 }\n  formats: [json]\n`);
    const pinnedOut = path.join(dir, 'pinned');
    const run = plan(['--config', cfg, '--end', String(end), '--out', pinnedOut]);
    expect(run.status, run.stderr).toBe(0);
    const v = (JSON.parse(readFileSync(path.join(pinnedOut, 'capacity-report.json'), 'utf8')) as JsonReport).vmhosts;
    expect(v.moves).toHaveLength(2);
    // vm1 must shed 32 GiB without web: db (24, fits only on vm2) and one 8 GiB domain, the fewest moves.
    expect(v.moves.every((m) => m.from === 'vm1:9847')).toBe(true);
    expect(v.moves.find((m) => m.domain === 'db')!.to).toBe('vm2:9847');
    expect(v.moves.map((m) => m.domain)).toContain('db');
    expect(v.moves.find((m) => m.domain !== 'db')!.memoryBytes).toBe(8 * GiB);
    expect(v.memoryMovedBytes).toBe((24 + 8) * GiB);
    expect(v.maxAfter.memory).toBe(1);
  });

  it('takes the budget from --churn-budget: at 28 MB/s w1 fits 4 + 28/8 = 7.5, so 7', () => {
    const budgetOut = path.join(dir, 'budget');
    const run = plan(['--prometheus.url', prom.url, '--window', `${DAYS}d`, '--end', String(end), '--churn-budget', '28MB/s', '--format', 'json', '--out', budgetOut]);
    expect(run.status, run.stderr).toBe(0);
    const w1 = (JSON.parse(readFileSync(path.join(budgetOut, 'capacity-report.json'), 'utf8')) as JsonReport).workers.hosts.find((h) => h.host === 'w1:9847')!;
    expect(w1.budgetCrossingLoad).toBeCloseTo(7.5, 2);
    expect(w1.capacity).toBe(7);
    expect(w1.change).toBe(-1);
  });

  it('forecasts the SSD wear-out date from its written-bytes trend', () => {
    const f = report.forecasts.find((x) => x.kind === 'ssd endurance' && x.host === 'w1:9847')!;
    expect(f.status).toBe('runs out');
    // 100 TB written at the start, 1 TB a day, 600 TB rated: (600 − 100 − 7) days after the end.
    const expected = end + ((SSD.endurance - SSD.startWritten - DAYS * SSD.perDay) / SSD.perDay) * DAY;
    expect(Math.abs(f.runOut! - expected)).toBeLessThan(DAY);
    expect(f.earliest!).toBeLessThanOrEqual(f.runOut!);
    expect(f.latest!).toBeGreaterThanOrEqual(f.runOut!);
    // Constant promise ratios do not run out.
    expect(report.forecasts.filter((x) => x.kind === 'tmpfs promise').map((x) => x.status)).toEqual(['not running out', 'not running out']);
    // Build roots peak at 8 x 1.5 and 4 x 1.5 GiB every day: flat, not running out.
    expect(report.forecasts.filter((x) => x.resource === 'daily peak tmpfs use').map((x) => x.status)).toEqual(['not running out', 'not running out']);
    // vm1 already allocates 96 GiB of its 64 GiB.
    expect(report.forecasts.find((x) => x.host === 'vm1:9847')!.status).toBe('exhausted');
  });

  it('reports the backup target that went stale, and for how long', () => {
    expect(report.staleBackups.map((b) => b.target)).toEqual(['wiki']);
    const wiki = report.staleBackups[0]!;
    // The day-4 backup is missed: after the one at day 3 (−23 h + 3 × 24 h) the next is a day
    // later still; stale from +26 h to +48 h after the last one: 22 hours, at the 2-minute step.
    expect(wiki.intervals).toHaveLength(1);
    expect(Math.abs(wiki.staleSeconds - (2 * DAY - BACKUP.maxAge))).toBeLessThanOrEqual(2 * 120);
    expect(Math.abs(wiki.longestSeconds - 22 * HOUR)).toBeLessThanOrEqual(2 * 120);
  });

  it('writes Markdown and a self-contained HTML report with SVG charts', () => {
    const md = readFileSync(path.join(out, 'capacity-report.md'), 'utf8');
    expect(md).toContain('**12** instances can be added, **2** must be removed');
    expect(md).toMatch(/\| web \| vm1:9847 \| vm2:9847 \| 32\.0 GiB \| 4 \|/);
    const html = readFileSync(path.join(out, 'capacity-report.html'), 'utf8');
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(2 + 2);
    // Nothing loaded from elsewhere: no scripts, no src/href, no @import, no url() but in-page #ids.
    expect(html).not.toMatch(/<script|\ssrc=|\shref=|@import|url\((?!#)/i);
    expect(html).toContain('w1:9847');
  });

  it('renders in headless Chromium: the screenshot shows the charts', () => {
    const png = path.join(dir, 'report.png');
    const profile = path.join(dir, 'chromium-profile');
    const run = runTool('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1280,2000',
      `file://${path.join(out, 'capacity-report.html')}`,
    ]);
    expect(run.status, run.stderr).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // Width and height from the IHDR chunk; a page of charts compresses far worse than a blank one.
    expect(bytes.readUInt32BE(16)).toBe(1280);
    expect(bytes.readUInt32BE(20)).toBe(2000);
    expect(statSync(png).size).toBeGreaterThan(60_000);
    if (process.env['HEADROOM_PLAN_SCREENSHOT']) writeFileSync(process.env['HEADROOM_PLAN_SCREENSHOT'], bytes);
  });

  it('splits a range query that would pass Prometheus\' 11,000-point limit, and merges it', async () => {
    const client = prometheusClient(prom.url);
    // 7 days at 30 s = 20,161 points: Prometheus refuses that in one query.
    const [s, ...rest] = await client.queryRange('headroom_tmpfs_mounts{instance="w1:9847"}', { start, end, step: 30 });
    expect(rest).toEqual([]);
    expect(s!.points).toHaveLength(DAYS * DAY / 30 + 1);
    expect(s!.points.every(([t], i) => t === start + i * 30)).toBe(true);
    // Values are the construction's load levels (the sample at or before each step).
    const t = start + 50 * HOUR + 90;
    expect(s!.points.find(([x]) => x === t)![1]).toBe(w1Level(t - 30, start));
    await expect(client.queryRange('rate(nonsense[', { start, end, step: 300 })).rejects.toThrow(PrometheusQueryError);
    await expect(client.queryRange('rate(nonsense[', { start, end, step: 300 })).rejects.toThrow(/rejected the query rate\(nonsense\[: bad_data/);
  });

  it('exits 3 naming what is missing when the window holds no data', () => {
    const run = plan(['--prometheus.url', prom.url, '--window', '7d', '--end', String(start - 30 * DAY), '--out', path.join(dir, 'empty')]);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('holds too little data');
    expect(run.stderr).toContain('headroom_swap_in_bytes_total');
    expect(run.stderr).toContain('headroom_vmhost_memory_bytes');
    expect(run.stderr).toContain('headroom_backup_last_success_timestamp_seconds');
  });

  it('exits 1 naming the URL when Prometheus is unreachable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = plan(['--prometheus.url', url, '--out', path.join(dir, 'none')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Prometheus at ${url} is unreachable: ECONNREFUSED`);
    // Not a terminal: no progress line.
    expect(run.stderr).not.toContain('querying');
  });

  it('exits 2 on usage errors', () => {
    expect(plan(['--out', dir]).stderr).toContain('give --prometheus.url');
    expect(plan(['--prometheus.url', prom.url, '--window', 'soon']).status).toBe(2);
    expect(plan(['--prometheus.url', prom.url, '--format', 'pdf']).status).toBe(2);
  });
});

describe('headroom plan against a Prometheus that wants credentials', () => {
  const dir = tempDir('headroom-plan-auth-');
  const PASSWORD = 'plan-Secret-9';
  let prom: PrometheusServer;

  beforeAll(async () => {
    // Prometheus' own web config: basic auth with a bcrypt hash.
    writeFileSync(path.join(dir, 'web.yml'), `basic_auth_users:\n  planner: ${bcrypt.hashSync(PASSWORD, 10)}\n`);
    writeFileSync(path.join(dir, 'planner.pass'), `${PASSWORD}\n`);
    writeFileSync(path.join(dir, 'wrong.pass'), 'nope\n');
    prom = await startPrometheus(
      path.join(dir, 'prom'),
      'global: { scrape_interval: 1m }\nscrape_configs: []\n',
      [`--web.config.file=${path.join(dir, 'web.yml')}`],
      { authorization: `Basic ${Buffer.from(`planner:${PASSWORD}`).toString('base64')}` },
    );
  }, 60_000);
  afterAll(async () => {
    await prom?.stop();
  });

  function configWith(auth: string): string {
    const file = path.join(dir, `plan-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, `planner:\n  prometheus_url: ${prom.url}\n  window: 7d\n${auth}`);
    return file;
  }

  it('asks with basic auth from a password file (the query runs: only the data is missing)', () => {
    const run = plan(['--config', configWith('  prometheus_auth: { username: planner, password_file: planner.pass }\n'), '--out', path.join(dir, 'ok')]);
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toContain('holds too little data');
    expect(run.stderr).not.toContain(PASSWORD);
  });

  it('exits 1 saying access was refused, with no or wrong credentials, never printing them', () => {
    const none = plan(['--prometheus.url', prom.url, '--window', '7d', '--out', path.join(dir, 'none')]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain(`Prometheus at ${prom.url} refused access: HTTP 401: it wants credentials (planner.prometheus_auth)`);
    const wrong = plan(['--config', configWith('  prometheus_auth: { username: planner, password_file: wrong.pass }\n'), '--out', path.join(dir, 'wrong')]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('the credentials in planner.prometheus_auth were refused');
    expect(wrong.stderr + none.stderr).not.toContain('nope');
  });

  it('rejects half-configured credentials as a config error', () => {
    const run = plan(['--config', configWith('  prometheus_auth: { username: planner }\n'), '--out', path.join(dir, 'half')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('planner.prometheus_auth.password_file: basic auth needs both username and password_file');
  });
});
