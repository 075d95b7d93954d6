// The planner's pure parts on constructed series: fits, worker capacity, VM rebalancing,
// forecasts, backup staleness, step choice. Expected values are the construction's arithmetic.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorModules } from '../../exporters/index.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { configSections } from '../../src/config/sections.js';
import { analyse, TooLittleDataError } from '../../planner/analyse.js';
import { terminalProgress } from '../../planner/command.js';
import type { PlannerData } from '../../planner/queries.js';
import { budgetOf, parseRate, plannerConfigOf } from '../../planner/config.js';
import { mergeFlags } from '../../planner/cli-command.js';
import { backupStaleness, forecastExhaustion, stepChangeAt } from '../../planner/forecast.js';
import { fitHinge, fitLine } from '../../planner/regression.js';
import { proposeRebalance, type DomainInput, type VmHostInput } from '../../planner/rebalance.js';
import type { Series } from '../../planner/series.js';
import { chooseStep, splitRange } from '../../planner/step.js';
import { analyseWorkerHost, wholeInstancesWithin } from '../../planner/workers.js';
import { rangeText } from '../../planner/render-markdown.js';
import { forecastTrend } from '../../planner/report-text.js';
import { tempDir } from '../support/tmp.js';
import { bruteForceRebalance } from './brute-force.js';

const GiB = 2 ** 30;
const MB = 1e6;
const DAY = 86400;
const churnBudget = { kind: 'swap churn' as const, limit: 20 * MB };
const series = (points: Array<[number, number]>, labels: Record<string, string> = {}): Series => ({ labels, points });

describe('step and range splitting', () => {
  it('chooses the finest round step under 10,000 points', async () => {
    expect(chooseStep(28 * DAY)).toBe(300); // 28 d / 120 s = 20,160 points: too many; / 300 s = 8,064
    expect(chooseStep(7 * DAY)).toBe(120); // 7 d / 60 s = 10,080: too many; / 120 s = 5,040
    expect(chooseStep(3600)).toBe(60);
  });

  it('splits a long range into contiguous pieces of at most 10,000 points', async () => {
    const pieces = splitRange(0, 25_000 * 60, 60);
    const counts = pieces.map(([a, b]) => (b - a) / 60 + 1);
    expect(counts.every((c) => c <= 10_000)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(25_001);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]![0]).toBe(pieces[i - 1]![1] + 60);
  });
});

describe('fits', () => {
  it('recovers a line and a hinge exactly', async () => {
    const xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const line = fitLine(xs, xs.map((x) => 2 * x + 1))!;
    expect(line.slope).toBeCloseTo(2, 12);
    expect(line.intercept).toBeCloseTo(1, 12);
    expect(line.slopeStdErr).toBeCloseTo(0, 12);
    const hinge = fitHinge(xs, xs.map((x) => 3 + 2 * Math.max(0, x - 5)))!;
    expect(hinge).toMatchObject({ knee: 5 });
    expect(hinge.base).toBeCloseTo(3, 9);
    expect(hinge.slope).toBeCloseTo(2, 9);
    expect(fitHinge([4, 4, 4], [1, 2, 3])).toBeNull();
  });
});

describe('worker host capacity', () => {
  // One point per minute; the load holds each level for 30 minutes, levels 0..6.
  const levels = Array.from({ length: 7 * 30 }, (_, i) => Math.floor(i / 30));
  const load = series(levels.map((l, i) => [i * 60, l]));
  const base = { host: 'w:9847', load, tmpfsPerInstance: series([[0, 2 * GiB], [60, 3 * GiB]]), instances: 6, ramBytes: 32 * GiB, swapBytes: 16 * GiB };

  it('crosses a 20 MB/s budget at 2 + 20/10 = 4 instances when churn is 10 MB/s per instance above 2', async () => {
    const churn = series(levels.map((l, i) => [i * 60, 10 * MB * Math.max(0, l - 2)]));
    // Promise 6 instances x 8 GiB = 48 GiB on 48 GiB: ratio 1, memory limit 6.
    const f = analyseWorkerHost({ ...base, churn, overcommitRatio: 1 }, churnBudget);
    expect(f.budgetCrossingLoad).toBeCloseTo(4, 9);
    expect(f.churnLimit).toBe(4);
    expect(f.memoryLimit).toBe(6);
    expect(f.capacity).toBe(4);
    expect(f.change).toBe(-2);
    expect(f.pastBudget).toBe(true);
    expect(f.peakTmpfsPerInstanceBytes).toBe(3 * GiB);
    // Levels 5 and 6 (30 + 30 of 210 points) are over the budget; level 4 sits on it.
    expect(f.shareOverBudget).toBeCloseTo(60 / 210, 9);
  });

  it('lets memory limit a host whose churn never grows, and flags the extrapolation', async () => {
    const flat = analyseWorkerHost({ ...base, churn: series(levels.map((_, i) => [i * 60, 1 * MB])), overcommitRatio: 0.5 }, churnBudget);
    expect(flat.churnLimit).toBeNull();
    expect(flat.memoryLimit).toBe(12); // 48 GiB / (0.5 x 48 GiB / 6)
    expect(flat.change).toBe(6);
    expect(flat.limitedBy).toBe('memory promise');
    const gentle = analyseWorkerHost({ ...base, churn: series(levels.map((l, i) => [i * 60, 1 * MB * l])), overcommitRatio: 0.25 }, churnBudget);
    expect(gentle.budgetCrossingLoad).toBeCloseTo(20, 6);
    expect(gentle.notes.join()).toContain('extrapolated');
  });

  it('does not blame builds for churn that is over the budget at every load', async () => {
    const f = analyseWorkerHost({ ...base, churn: series(levels.map((_, i) => [i * 60, 50 * MB])), overcommitRatio: 1 }, churnBudget);
    expect(f.pastBudget).toBe(true);
    expect(f.churnLimit).toBeNull();
    expect(f.notes.join()).toContain('does not come from builds');
  });

  it('says so when the load never changed or a series is missing', async () => {
    const still = analyseWorkerHost({ ...base, load: series(levels.map((_, i) => [i * 60, 3])), churn: series(levels.map((_, i) => [i * 60, 0])), overcommitRatio: 1 }, churnBudget);
    expect(still.fit).toBeNull();
    expect(still.notes.join()).toContain('one level');
    const none = analyseWorkerHost({ ...base, churn: undefined, instances: undefined, overcommitRatio: undefined }, churnBudget);
    expect(none.capacity).toBeNull();
    expect(none.notes.join()).toContain('no swap churn series');
  });
});

describe('VM rebalancing', () => {
  const host = (name: string, memGiB: number, cpus: number): VmHostInput => ({ host: name, cpus, memoryBytes: memGiB * GiB, fixedVcpus: 0, fixedMemoryBytes: 0 });
  const dom = (h: string, name: string, memGiB: number, vcpus: number, active = true): DomainInput => ({ host: h, name, memoryBytes: memGiB * GiB, vcpus, active });
  const hosts = [host('a:1', 32, 8), host('b:1', 32, 8)];
  // a carries 16 + 8 + 8 = 32 GiB... plus 8 more: 40 GiB on 32; b 8 GiB.
  const domains = [dom('a:1', 'big', 16, 2), dom('a:1', 'm1', 8, 2), dom('a:1', 'm2', 8, 2), dom('a:1', 'm3', 8, 2), dom('b:1', 'x', 8, 2), dom('a:1', 'off', 64, 64, false)];

  it('brings the estate within target with the fewest moves: one 8 GiB domain to b (40/32 → 32/32)', async () => {
    const p = proposeRebalance(hosts, domains, { maxMoves: 4, pinned: {}, target: 1 });
    expect(p.method).toBe('exact');
    // a is 8 GiB over 32; moving one 8 GiB domain is the one move with the least memory that fits.
    expect(p.moves).toHaveLength(1);
    expect(p.moves[0]).toMatchObject({ from: 'a:1', to: 'b:1', memoryBytes: 8 * GiB, movesBack: false });
    expect(p.overTargetBefore).toBe(8 * GiB);
    expect(p.overTargetAfter).toBe(0);
    expect(p.maxAfter.memory).toBeCloseTo(32 / 32, 12);
    expect(p.maxBefore.memory).toBeCloseTo(40 / 32, 12);
    expect(p.moves[0]!.why).toContain('over the target 1.00 by 8.0 GiB');
    // A lower target (0.75: 24 GiB each) needs the 16 GiB domain moved: the lowest peak, one move.
    const low = proposeRebalance(hosts, domains, { maxMoves: 4, pinned: {}, target: 0.75 });
    expect(low.moves.map((m) => [m.domain, m.to])).toEqual([['big', 'b:1']]);
  });

  it('moves nothing when every host is within target, keeps pins, and honours max_moves', async () => {
    expect(proposeRebalance(hosts, [dom('a:1', 'p', 8, 1), dom('b:1', 'q', 8, 1)], { maxMoves: 4, pinned: {}, target: 1 }).moves).toEqual([]);
    // a at 32/32 and b at 8/32: unbalanced but within target, so no move (the old objective moved one).
    expect(proposeRebalance(hosts, [dom('a:1', 'p', 16, 1), dom('a:1', 'q', 16, 1), dom('b:1', 'r', 8, 1)], { maxMoves: 4, pinned: {}, target: 1 }).moves).toEqual([]);
    const pinned = proposeRebalance(hosts, domains, { maxMoves: 4, pinned: { big: 'a' }, target: 1 });
    expect(pinned.moves.map((m) => [m.to, m.memoryBytes])).toEqual([['b:1', 8 * GiB]]);
    expect(pinned.pinned).toEqual(['big']);
    const zero = proposeRebalance(hosts, domains, { maxMoves: 0, pinned: {}, target: 1 });
    expect(zero.moves).toEqual([]);
    expect(zero.notes.join()).toContain('no plan of at most 0 moves brings every host within the target');
  });

  it('does not move a domain back where it came from unless nothing else fits', async () => {
    // m1 came from b recently: m2 or m3 (the same size) goes instead.
    const p = proposeRebalance(hosts, domains, { maxMoves: 4, pinned: {}, target: 1, recentHosts: { m1: ['b:1'] } });
    expect(p.moves).toHaveLength(1);
    expect(['m2', 'm3']).toContain(p.moves[0]!.domain);
    expect(p.moves[0]!.movesBack).toBe(false);
    // Every 8 GiB domain came from b, and big too: one must go back; the flag says so.
    const forced = proposeRebalance(hosts, domains, { maxMoves: 4, pinned: {}, target: 1, recentHosts: { m1: ['b:1'], m2: ['b:1'], m3: ['b:1'], big: ['b:1'] } });
    expect(forced.moves).toHaveLength(1);
    expect(forced.moves[0]).toMatchObject({ memoryBytes: 8 * GiB, movesBack: true });
    expect(forced.moves[0]!.why).toContain('no plan without moving it back fits the target');
  });

  it('matches a brute force over every assignment on random small estates', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 40; trial++) {
      const hs = [host('h0', 32, 8), host('h1', 48, 8), host('h2', 24, 8)];
      const ds = Array.from({ length: 6 }, (_, i) => dom(`h${Math.floor(rand() * 3)}`, `d${i}`, 4 * (1 + Math.floor(rand() * 5)), 1));
      const recent: Record<string, string[]> = rand() < 0.5 ? { d0: ['h1'], d1: ['h2'] } : {};
      const maxMoves = 1 + Math.floor(rand() * 3);
      const target = [0.75, 1, 1.25][Math.floor(rand() * 3)]!;
      const best = bruteForceRebalance(hs, ds, { target, maxMoves, recent });
      const p = proposeRebalance(hs, ds, { maxMoves, pinned: {}, target, recentHosts: recent });
      const got = [p.overTargetAfter, p.moves.filter((m) => m.movesBack).length, p.moves.length, p.memoryMovedBytes];
      expect(got, `trial ${trial}`).toEqual(best.key.slice(0, 4));
      expect(p.maxAfter.memory).toBeCloseTo(best.key[4]!, 12);
      expect(best.plans).toContainEqual(p.moves.map((m) => `${m.domain}:${m.from}>${m.to}`).sort());
    }
  });

  it('falls back to greedy search past the node limit and says so', async () => {
    const p = proposeRebalance(hosts, domains, { maxMoves: 4, pinned: {}, nodeLimit: 3, target: 1 });
    expect(p.method).toBe('greedy');
    expect(p.overTargetAfter).toBe(0);
    expect(p.notes.join()).toContain('greedy');
  });

  it('moves a domain pinned to another host', async () => {
    const p = proposeRebalance(hosts, [dom('a:1', 'p', 8, 1)], { maxMoves: 0, pinned: { p: 'b:1' }, target: 1 });
    expect(p.moves).toEqual([{ domain: 'p', from: 'a:1', to: 'b:1', memoryBytes: 8 * GiB, vcpus: 1, movesBack: false, why: 'pinned to b:1; b:1 goes 0.00 → 0.25' }]);
  });

});

describe('forecasts', () => {
  const now = 100 * DAY;
  // 10 GiB + 1 GiB a day over 30 days, ± 0.5 GiB alternating, on 100 GiB.
  const pts = Array.from({ length: 31 }, (_, d): [number, number] => [now - (30 - d) * DAY, (10 + d) * GiB + (d % 2 ? 0.5 : -0.5) * GiB]);

  it('dates the run-out at the trend, with a range around it', async () => {
    const f = forecastExhaustion({ kind: 'disk', host: 'h', resource: '/', unit: 'bytes' }, series(pts), 100 * GiB, now);
    expect(f.status).toBe('runs out');
    // Level now ≈ 40 GiB; 60 GiB to go at 1 GiB/day: about 60 days.
    expect(Math.abs(f.runOut! - (now + 60 * DAY))).toBeLessThan(1 * DAY);
    expect(f.earliest!).toBeLessThan(f.runOut!);
    expect(f.latest!).toBeGreaterThan(f.runOut!);
    expect(f.slopePerDay / GiB).toBeCloseTo(1, 1);
  });

  it('knows when nothing runs out, when it already has, and when data is too thin', async () => {
    const down = series(pts.map(([t, v]) => [t, 100 * GiB - v]));
    expect(forecastExhaustion({ kind: 'disk', host: 'h', resource: '/', unit: 'bytes' }, down, 100 * GiB, now).status).toBe('not running out');
    expect(forecastExhaustion({ kind: 'disk', host: 'h', resource: '/', unit: 'bytes' }, series(pts), 20 * GiB, now).status).toBe('exhausted');
    expect(forecastExhaustion({ kind: 'disk', host: 'h', resource: '/', unit: 'bytes' }, series(pts.slice(0, 3)), 100 * GiB, now).status).toBe('too little data');
  });

  it('measures how long a backup target was stale', async () => {
    // Backups at 0 and 30 h; max_age 26 h; 1 h steps from 0 to 40 h: stale at 27, 28, 29 h.
    const steps = Array.from({ length: 41 }, (_, h) => h * 3600);
    const last = series(steps.map((t) => [t, t >= 30 * 3600 ? 30 * 3600 : 0]));
    const max = series(steps.map((t) => [t, 26 * 3600]));
    const s = backupStaleness('wiki', last, max, 3600)!;
    expect(s.intervals).toEqual([[27 * 3600, 29 * 3600]]);
    expect(s.staleSeconds).toBe(3 * 3600);
    expect(s.longestSeconds).toBe(3 * 3600);
    expect(s.staleAtEnd).toBe(false);
    expect(backupStaleness('etc', series(steps.map((t) => [t, t])), max, 3600)).toBeNull();
  });
});

describe('figures that read right', () => {
  const now = 100 * DAY;
  const hourly = (days: number, f: (t: number) => number) => series(Array.from({ length: days * 24 + 1 }, (_, i): [number, number] => [now - days * DAY + i * 3600, f(now - days * DAY + i * 3600)]));

  it('reads a constant that floating point cannot represent as flat, not as a date after 9999', async () => {
    // 0.1 + 0.2 and 7/30 are not exact in binary: a least-squares line through them has a slope of ±1e-20.
    for (const v of [0.1 + 0.2, 7 / 30, 0.7]) {
      const f = forecastExhaustion({ kind: 'tmpfs promise', host: 'h', resource: 'r', unit: 'ratio' }, hourly(28, () => v), 1, now);
      expect(f.status).toBe('not running out');
      expect(f.slopePerDay).toBe(0);
      expect(forecastTrend(f)).toBe('flat');
      expect(rangeText(f.earliest, f.latest, f.status)).toBe('not within 100 years');
    }
  });

  it('shows an SSD wearing out in 50 days with a trend that is not 0.00', async () => {
    // Wear 0.5 now, +0.01 a day: 50 days to 1.0.
    const f = forecastExhaustion({ kind: 'ssd endurance', host: 'h', resource: 'sda wear', unit: 'ratio' }, hourly(28, (t) => 0.5 + (0.01 * (t - now)) / DAY), 1, now);
    expect(f.status).toBe('runs out');
    expect(Math.abs(f.runOut! - (now + 50 * DAY))).toBeLessThan(3600);
    expect(forecastTrend(f)).toBe('+0.01 / day');
  });

  it('does not fit a run-out date through a single step (a migration)', async () => {
    // 32 GiB allocated, then 56 GiB from day 20 on: two flat levels, no trend.
    const stepAt = now - 8 * DAY;
    const s = hourly(28, (t) => (t < stepAt ? 32 : 56) * GiB);
    expect(s.points[stepChangeAt(s.points.map(([t]) => t), s.points.map(([, v]) => v))!]![0]).toBe(stepAt);
    const f = forecastExhaustion({ kind: 'ram', host: 'h', resource: 'VM memory allocated', unit: 'bytes' }, s, 64 * GiB, now);
    expect(f.status).toBe('not running out');
    expect(f.fittedFrom).toBe(stepAt);
    expect(f.note).toContain('not a trend');
    // A real trend with noise is no step.
    const noisy = hourly(28, (t) => (10 + (t - now + 28 * DAY) / DAY) * GiB + (Math.floor(t / 3600) % 2 ? 1 : -1) * 0.3 * GiB);
    expect(stepChangeAt(noisy.points.map(([t]) => t), noisy.points.map(([, v]) => v))).toBeNull();
  });

  it('keeps a stale backup period whole across a gap in the data when no backup ran in it', async () => {
    // Backup at 0, max_age 26 h; data every hour from 0 to 40 h but missing 30..33 h: stale from 27 h to 40 h in one period.
    const steps = Array.from({ length: 41 }, (_, h) => h * 3600).filter((t) => t < 30 * 3600 || t > 33 * 3600);
    const s = backupStaleness('wiki', series(steps.map((t) => [t, 0])), series(steps.map((t) => [t, 26 * 3600])), 3600)!;
    expect(s.intervals).toEqual([[27 * 3600, 40 * 3600]]);
    expect(s.staleSeconds).toBe(14 * 3600);
    // A backup in the gap (newest backup differs after it): two periods, the gap unknown.
    const ran = backupStaleness('wiki', series(steps.map((t) => [t, t > 33 * 3600 ? 1 * 3600 : 0])), series(steps.map((t) => [t, 26 * 3600])), 3600)!;
    expect(ran.intervals).toEqual([[27 * 3600, 29 * 3600], [34 * 3600, 40 * 3600]]);
  });

  it('counts a limit that falls exactly on N instances as N', async () => {
    expect(wholeInstancesWithin(7 - 1e-12)).toBe(7);
    expect(wholeInstancesWithin(6.999)).toBe(6);
    // 0.7 × 96 GiB promised for 7 instances: 96 GiB holds exactly 10 (through bytes: 96 GiB / (0.7 × 96 GiB / 7) = 10.000000000000002).
    const levels = Array.from({ length: 9 * 30 }, (_, i) => Math.floor(i / 30));
    const f = analyseWorkerHost(
      {
        host: 'w', load: series(levels.map((l, i) => [i * 60, l])),
        // 0.3 MB/s per instance above 2 (0.3 is not exact in binary); a 2.1 MB/s budget is reached at exactly 2 + 7 = 9.
        churn: series(levels.map((l, i) => [i * 60, 0.3 * MB * Math.max(0, l - 2)])),
        tmpfsPerInstance: undefined, instances: 7, ramBytes: 64 * GiB, swapBytes: 32 * GiB, overcommitRatio: 0.7,
      },
      { kind: 'swap churn', limit: 2.1 * MB },
    );
    expect(f.memoryLimit).toBe(10);
    expect(f.churnLimit).toBe(9);
    expect(f.capacity).toBe(9);
    expect(f.why.join()).toContain('reaches the budget of 2.1 MB/s at 9.00 instances, so 9 fit');
    expect(f.confidence).toMatchObject({ points: 270, levels: 9, extrapolatedInstances: 1, rating: 'fair' });
  });
});

describe('config and terminal', () => {
  it('reads the planner section with defaults, and names a misspelt key', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.yml');
    writeFileSync(good, 'planner:\n  swap_churn_budget: 50MB/s\n  pinned_domains: { web: vm1 }\n');
    const cfg = plannerConfigOf((await loadConfig(good, collectorModules, configSections)).sections);
    expect(cfg).toMatchObject({ swap_churn_budget: 50e6, window: 28 * DAY * 1000, max_moves: 4, pinned_domains: { web: 'vm1' }, formats: ['html', 'md', 'json'] });
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, 'planner:\n  pinned_domain: { web: vm1 }\n');
    await expect(loadConfig(bad, collectorModules, configSections)).rejects.toThrow(ConfigError);
    await expect(loadConfig(bad, collectorModules, configSections)).rejects.toThrow(/did you mean "pinned_domains"/);
    expect(parseRate('20MiB/s')).toBe(20 * 2 ** 20);
    expect(parseRate('fast')).toBeNull();
  });

  it('reads the memory-stall budget, the target and the guard, and refuses both budgets at once', async () => {
    const dir = tempDir();
    const stall = path.join(dir, 'stall.yml');
    writeFileSync(stall, 'planner:\n  memory_stall_budget: 5%\n  overcommit_target: 0.9\n  move_back_guard: 3d\n');
    const cfg = plannerConfigOf((await loadConfig(stall, collectorModules, configSections)).sections);
    expect(budgetOf(cfg)).toEqual({ kind: 'memory stall', limit: 0.05 });
    expect(cfg).toMatchObject({ overcommit_target: 0.9, move_back_guard: 3 * DAY * 1000 });
    expect(budgetOf(plannerConfigOf({}))).toEqual({ kind: 'swap churn', limit: 20e6 });
    const both = path.join(dir, 'both.yml');
    writeFileSync(both, 'planner:\n  memory_stall_budget: 5%\n  swap_churn_budget: 30MB/s\n');
    await expect(loadConfig(both, collectorModules, configSections)).rejects.toThrow(/memory_stall_budget: the worker budget is either swap_churn_budget or memory_stall_budget/);
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, 'planner:\n  memory_stall_budget: 150%\n');
    await expect(loadConfig(bad, collectorModules, configSections)).rejects.toThrow(/"150%" is not a share of time/);
    const flags = { 'prometheus.url': 'http://127.0.0.1:9090', out: dir };
    expect(() => mergeFlags({ ...flags, churnBudget: '20MB/s', stallBudget: '5%' }, plannerConfigOf({}))).toThrow(/one or the other/);
    expect(() => mergeFlags({ ...flags, target: 'high' }, plannerConfigOf({}))).toThrow(/--target: "high" is not a positive memory overcommit ratio/);
    // --churn-budget picks swap churn over a memory_stall_budget in the config.
    expect(budgetOf(mergeFlags({ ...flags, churnBudget: '10MB/s' }, cfg).config)).toEqual({ kind: 'swap churn', limit: 10e6 });
    expect(mergeFlags({ ...flags, moveBackGuard: '0' }, cfg).config.move_back_guard).toBe(0);
  });

  it('draws progress only on a terminal', async () => {
    const writes: string[] = [];
    const tty = { isTTY: true, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const progress = terminalProgress(tty);
    progress(1, 4, 'swap churn per host');
    expect(writes.join('')).toContain('1/4 querying swap churn per host');
    const quiet: string[] = [];
    terminalProgress({ isTTY: false, write: (s: string) => quiet.push(s) } as unknown as NodeJS.WriteStream)(1, 4, 'x');
    expect(quiet).toEqual([]);
  });
});

describe('analyse', () => {
  const window = { start: 0, end: 7200, step: 60 };
  const empty: PlannerData = {
    window, trendWindow: { ...window, step: 3600 }, load: [], obsBuilding: [], churn: [], jobsPerHour: [], medianBuildTime: [], tmpfsPerInstance: [], instances: [], ram: [], swap: [], overcommit: [],
    vmCpus: [], vmMemory: [], vmFixedVcpus: [], vmFixedMemory: [], domainVcpus: [], domainMemory: [], domainShutoff: [], domainRecent: [],
    trendVmAllocated: [], trendTmpfsPeak: [], trendOvercommit: [], trendDiskUsed: [], diskSize: [], trendSsdWritten: [], ssdEndurance: [], trendSsdWear: [], backupLast: [], backupMaxAge: [],
  };
  const opts = { budget: churnBudget, pinned: {}, maxMoves: 4, overcommitTarget: 1 };

  it('refuses an empty window, naming every missing series', async () => {
    expect(() => analyse(empty, opts)).toThrow(TooLittleDataError);
    try {
      analyse(empty, opts);
    } catch (err) {
      const missing = (err as TooLittleDataError).missing.join('\n');
      for (const name of ['headroom_tmpfs_mounts', 'headroom_swap_in_bytes_total', 'headroom_vmhost_memory_bytes', 'headroom_backup_last_success_timestamp_seconds']) expect(missing).toContain(name);
    }
  });

  it('takes the load of a host without tmpfs_mounts from OBS, matched by host name', async () => {
    // 120 minutes, load 0 for the first hour and 6 for the second; churn 10 MB/s per instance above 0.
    const minutes = Array.from({ length: 120 }, (_, i) => i * 60);
    const level = (t: number) => (t < 3600 ? 0 : 6);
    const data: PlannerData = {
      ...empty,
      obsBuilding: [series(minutes.map((t) => [t, level(t)]), { host: 'w9' })],
      churn: [series(minutes.map((t) => [t, 10 * MB * level(t)]), { instance: 'w9:9847' })],
    };
    const report = analyse(data, opts);
    const w9 = report.workers!.hosts[0]!;
    expect(w9.host).toBe('w9:9847');
    expect(w9.levels.map((l) => l.load)).toEqual([0, 6]);
    expect(w9.budgetCrossingLoad).toBeCloseTo(2, 9);
    expect(report.missing.join()).toContain('no headroom_vmhost_memory_bytes');
    // VM hosts without per-domain series: the report says which collector option is off.
    const noDomains = analyse({ ...data, vmMemory: [series([[7200, 64 * GiB]], { instance: 'vm1:9847' })] }, opts);
    expect(noDomains.vmhosts).toBeNull();
    expect(noDomains.missing.join()).toContain('set per_domain: true in the vmhost collector');
  });
});
