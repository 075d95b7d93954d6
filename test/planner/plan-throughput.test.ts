// Throughput for capacity reviews against a real Prometheus backfilled by promtool with
// throughput-farm.ts, through the built CLI: jobs/h and median build time per building-instance
// count, where throughput stops rising, beside the swap-churn knee, and the OBS host name joined
// to its instance by planner.obs_worker_hosts. The expected figures are worked out here from the
// farm's per-minute history (histogram_quantile's interpolation written out), not by the planner.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../../sim/stack.js';
import { cliPath } from '../support/exporter.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { BUCKETS, HOSTS, throughputFarm, type Minute } from './throughput-farm.js';

const DAYS = 3;

interface JsonThroughput {
  host: string;
  instance: string | null;
  levels: Array<{ instances: number; jobsPerHour: number; medianBuildSeconds: number | null; points: number }>;
  saturation: number | null;
  churnKnee: number | null;
  churnLimit: number | null;
  why: string[];
  notes: string[];
  confidence: { rating: string };
}

/** histogram_quantile(q) over cumulative bucket counts, as Prometheus documents it. */
function quantile(q: number, cumulative: ReadonlyArray<readonly [le: number, count: number]>): number | null {
  const total = cumulative[cumulative.length - 1]![1];
  if (total === 0) return null;
  const rank = q * total;
  const i = cumulative.findIndex(([, c]) => c >= rank);
  const [le, count] = cumulative[i]!;
  if (le === Infinity) return cumulative[i - 1]![0];
  const [lo, below] = i === 0 ? [0, 0] : cumulative[i - 1]!;
  return lo + ((le - lo) * (rank - below)) / (count - below);
}

/** Per whole building count: jobs/h (jobs over minutes) and the median build time of its jobs. */
function expectedLevels(minutes: readonly Minute[]) {
  const byCount = new Map<number, Minute[]>();
  for (const m of minutes) (byCount.get(m.building) ?? byCount.set(m.building, []).get(m.building)!).push(m);
  return [...byCount.entries()]
    .sort(([a], [b]) => a - b)
    .map(([count, ms]) => ({
      instances: count,
      jobsPerHour: (ms.reduce((a, m) => a + m.jobs, 0) / ms.length) * 60,
      medianBuildSeconds: quantile(0.5, BUCKETS.map((le) => [le, ms.reduce((a, m) => a + (m.buildSeconds <= le ? m.jobs : 0), 0)] as const)),
    }));
}

/** The README's definition tried at every count: the first from which no higher count rises by more than a tenth of an instance's share per instance. */
function expectedSaturation(levels: ReadonlyArray<{ instances: number; jobsPerHour: number }>): number | null {
  for (const c of levels) {
    if (c.instances < 1 || c.jobsPerHour <= 0) continue;
    const higher = levels.filter((l) => l.instances > c.instances);
    if (higher.length && higher.every((l) => l.jobsPerHour <= c.jobsPerHour + (0.1 * c.jobsPerHour / c.instances) * (l.instances - c.instances) + 1e-6)) return c.instances;
  }
  return null;
}

describe('headroom plan: throughput per worker host against building instances', () => {
  const dir = tempDir('headroom-plan-throughput-');
  const end = Math.floor(Date.now() / 60_000) * 60 - 60;
  const farm = throughputFarm({ end, days: DAYS });
  let prom: PrometheusServer;

  function plan(name: string, mapping: string): { throughput: JsonThroughput[]; md: string; html: string; stdout: string } {
    const out = path.join(dir, name);
    const cfg = path.join(dir, `${name}.yml`);
    writeFileSync(cfg, `planner:\n  prometheus_url: ${prom.url}\n  window: ${DAYS}d\n  swap_churn_budget: 20MB/s\n${mapping}`);
    const run = runTool(process.execPath, [cliPath, 'plan', '--config', cfg, '--end', String(end), '--out', out]);
    expect(run.status, run.stderr).toBe(0);
    const read = (f: string) => readFileSync(path.join(out, f), 'utf8');
    return { throughput: (JSON.parse(read('capacity-report.json')) as { throughput: JsonThroughput[] }).throughput, md: read('capacity-report.md'), html: read('capacity-report.html'), stdout: run.stdout };
  }

  let mapped: ReturnType<typeof plan>;
  beforeAll(async () => {
    const om = path.join(dir, 'farm.om');
    writeFileSync(om, farm.openMetrics);
    const blocks = runTool('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', `--max-block-duration=${(DAYS + 1) * 24}h`, om, path.join(dir, 'prom', 'data')]);
    expect(blocks.status, blocks.stderr).toBe(0);
    prom = await startPrometheus(path.join(dir, 'prom'), 'global: { scrape_interval: 1m }\nscrape_configs: []\n', ['--storage.tsdb.retention.time=10y']);
    mapped = plan('mapped', '  obs_worker_hosts: { build2: "w2:9847" }\n');
  }, 180_000);
  afterAll(async () => {
    await prom?.stop();
  });

  const finding = (r: { throughput: JsonThroughput[] }, host: string) => r.throughput.find((t) => t.host === host)!;

  it('gives per building count the jobs/h and median build time the farm worked out', () => {
    for (const h of HOSTS) {
      const expected = expectedLevels(farm.minutes.filter((m) => m.host === h));
      const got = finding(mapped, h.obsHost).levels;
      expect(got.map((l) => l.instances)).toEqual(expected.map((l) => l.instances));
      got.forEach((l, i) => {
        expect(l.jobsPerHour).toBeCloseTo(expected[i]!.jobsPerHour, 6);
        if (expected[i]!.medianBuildSeconds === null) expect(l.medianBuildSeconds).toBeNull();
        else expect(l.medianBuildSeconds).toBeCloseTo(expected[i]!.medianBuildSeconds!, 6);
        expect(l.points).toBeGreaterThanOrEqual(3);
      });
    }
    // w1's builds: 250 s lies in the 120..300 s bucket, so the median reads 210 s; 1500 s in 1200..1800 reads 1500 s.
    expect(finding(mapped, 'w1').levels.map((l) => l.medianBuildSeconds)).toEqual([null, 210, 210, 210, 210, 210, 900, 900, 1500].map((v) => (v === null ? null : expect.closeTo(v, 6))));
  });

  it('finds where throughput stops rising, or that it still rises, as the definition does on the farm\'s figures', () => {
    const w1 = finding(mapped, 'w1');
    expect(w1.saturation).toBe(expectedSaturation(expectedLevels(farm.minutes.filter((m) => m.host === HOSTS[0]))));
    expect(w1.saturation).toBe(5);
    expect(w1.confidence.rating).toBe('good');
    const build2 = finding(mapped, 'build2');
    expect(expectedSaturation(expectedLevels(farm.minutes.filter((m) => m.host === HOSTS[1])))).toBeNull();
    expect(build2.saturation).toBeNull();
    expect(build2.why.join()).toContain('still rises at the highest count seen');
  });

  it('shows it beside the swap-churn knee of the same host, joined by host name or planner.obs_worker_hosts', () => {
    const w1 = finding(mapped, 'w1');
    // Churn 8 MB/s per instance above 4 meets 20 MB/s at 6.5: knee 4, 6 fit.
    expect([w1.instance, w1.churnKnee, w1.churnLimit]).toEqual(['w1:9847', 4, 6]);
    expect(w1.why.join('\n')).toContain('throughput still rises past it up to 5');
    const build2 = finding(mapped, 'build2');
    expect([build2.instance, build2.churnKnee]).toEqual(['w2:9847', null]);
    expect(build2.why.join()).toContain('swap churn on w2:9847 does not rise');
    const unmapped = plan('unmapped', '');
    expect(finding(unmapped, 'build2').instance).toBeNull();
    expect(finding(unmapped, 'build2').notes.join()).toContain('no worker host instance matches the OBS host build2');
  });

  it('writes it to every report', () => {
    expect(mapped.stdout).toContain('throughput w1: stops rising at 5 building instances (swap churn knee 4, budget allows 6)');
    expect(mapped.stdout).toContain('throughput build2: still rising at 6 building instances');
    expect(mapped.md).toContain('### w1: stops rising at 5 building instances');
    expect(mapped.md).toMatch(/\| 5 \| 60\.0 \| 3\.5 min \| \d+ \|/);
    expect(mapped.html).toContain('<h2>Throughput</h2>');
    expect(mapped.html).toContain('jobs finished per hour vs building instances');
    expect(mapped.html).toContain('stops rising at 5</text>');
  });
});
