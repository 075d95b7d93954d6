// Throughput per worker host on constructed series: where jobs/h stops rising (its boundary
// exactly on the 10 % allowance), the per-count medians, and the join of an OBS host name to a
// worker host's instance, with and without planner.obs_worker_hosts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorModules } from '../../exporters/index.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { configSections } from '../../src/config/sections.js';
import { plannerConfigOf } from '../../planner/config.js';
import { tempDir } from '../support/tmp.js';
import { obsHostOf } from '../../planner/analyse.js';
import type { Series } from '../../planner/series.js';
import { analyseThroughput, saturationCount, type ThroughputInput, type ThroughputLevel } from '../../planner/throughput.js';

const levels = (jobs: number[], from = 1): ThroughputLevel[] => jobs.map((j, i) => ({ instances: from + i, jobsPerHour: j, medianBuildSeconds: null, points: 10 }));

describe('where throughput stops rising', () => {
  it('counts a rise of exactly a tenth of one instance\'s share as no rise, and a hair more as a rise', async () => {
    // At 4 instances 40 jobs/h: one instance's share is 10, a tenth of it 1 job/h per added instance.
    expect(saturationCount(levels([10, 20, 30, 40, 41, 42]))).toBe(4);
    // 41.01 at 5 passes 4's allowance; from 5 (41.01, allowance 0.82 per instance) 6 stays level.
    expect(saturationCount(levels([10, 20, 30, 40, 41.01, 41.01]))).toBe(5);
  });

  it('gives no answer while jobs/h still rises at the highest count seen', async () => {
    expect(saturationCount(levels([10, 20, 30, 40]))).toBeNull();
    // The highest count alone is never an answer: nothing above it says it stays flat.
    expect(saturationCount(levels([10]))).toBeNull();
  });

  it('does not take the idle count 0 as the answer, and looks at every higher count, not only the next', async () => {
    expect(saturationCount(levels([0, 10, 20, 30, 30], 0))).toBe(3);
    // A dip at 3 does not end the rise when 4 finishes more again.
    expect(saturationCount(levels([10, 20, 19, 30, 30]))).toBe(4);
  });
});

describe('a worker host\'s throughput from its series', () => {
  const minutes = Array.from({ length: 600 }, (_, i) => 1_700_000_000 + 60 * i);
  // Counts 0..5, ten minutes each; jobs/h 12 per instance up to 3, then flat; builds 5 min up to 3, then 10 min.
  const count = (t: number) => Math.floor((t - minutes[0]!) / 600) % 6;
  const series = (host: string, f: (t: number) => number | null): Series => ({ labels: { host }, points: minutes.flatMap((t) => (f(t) === null ? [] : [[t, f(t)!] as const])) });
  const input = (over: Partial<ThroughputInput> = {}): ThroughputInput => ({
    host: 'w1',
    instance: 'w1:9847',
    // The transition minutes average between two counts: 0.5 above the lower one rounds up.
    building: series('w1', (t) => (t % 600 === 0 ? count(t) - 0.4 : count(t))),
    jobsPerHour: series('w1', (t) => 12 * Math.min(count(t), 3)),
    medianBuildSeconds: series('w1', (t) => (count(t) === 0 ? null : count(t) <= 3 ? 300 : 600)),
    budgetKind: 'swap churn',
    churnKnee: 4,
    churnLimit: 6,
    ...over,
  });

  it('takes per count the median jobs/h and build time and finds the count where it stops rising', async () => {
    const f = analyseThroughput(input());
    expect(f.levels.map((l) => [l.instances, l.jobsPerHour, l.medianBuildSeconds, l.points])).toEqual([
      [0, 0, null, 100],
      [1, 12, 300, 100],
      [2, 24, 300, 100],
      [3, 36, 300, 100],
      [4, 36, 600, 100],
      [5, 36, 600, 100],
    ]);
    expect(f.saturation).toBe(3);
    expect(f.confidence).toMatchObject({ levels: 6, levelsAbove: 2, rating: 'good' });
    expect(f.why.join('\n')).toContain('throughput stops rising at 3');
    expect(f.why.join('\n')).toContain('swap churn starts rising above 4 instances and allows 6: throughput stops rising first');
  });

  it('says so when the budget\'s knee comes first, and when no worker host matches', async () => {
    expect(analyseThroughput(input({ churnKnee: 2 })).why.join('\n')).toContain('the overcommit pays off up to 3');
    const alone = analyseThroughput(input({ instance: null, churnKnee: null, churnLimit: null }));
    expect(alone.saturation).toBe(3);
    expect(alone.notes.join()).toContain('no worker host instance matches the OBS host w1');
  });

  it('names the missing series instead of failing', async () => {
    const f = analyseThroughput(input({ building: undefined }));
    expect(f.levels).toEqual([]);
    expect(f.saturation).toBeNull();
    expect(f.notes.join()).toContain('headroom_obs_worker_host_instances');
  });
});

describe('joining OBS worker host names to instances', () => {
  it('uses the host name of the instance, or the mapping by instance or host name', async () => {
    expect(obsHostOf('w1:9847')).toBe('w1');
    expect(obsHostOf('[::1]:9847')).toBe('::1');
    expect(obsHostOf('w1-mgmt:9847', { 'build17': 'w1-mgmt:9847' })).toBe('build17');
    expect(obsHostOf('w1-mgmt:9847', { 'build17': 'w1-mgmt' })).toBe('build17');
    expect(obsHostOf('w2:9847', { 'build17': 'w1-mgmt' })).toBe('w2');
  });
});

describe('planner.obs_worker_hosts', () => {
  it('reads a mapping, defaults to none, and names the file and the field when it is not one', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.yml');
    writeFileSync(good, 'planner:\n  obs_worker_hosts: { build17: "w17-mgmt:9847" }\n');
    expect(plannerConfigOf((await loadConfig(good, collectorModules, configSections)).sections).obs_worker_hosts).toEqual({ build17: 'w17-mgmt:9847' });
    expect(plannerConfigOf({}).obs_worker_hosts).toEqual({});
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, 'planner:\n  obs_worker_hosts: [build17]\n');
    await expect(loadConfig(bad, collectorModules, configSections)).rejects.toThrow(ConfigError);
    await expect(loadConfig(bad, collectorModules, configSections)).rejects.toThrow(/bad\.yml[\s\S]*planner\.obs_worker_hosts/);
  });
});
