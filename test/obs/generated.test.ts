import { describe, expect, it } from 'vitest';
import { validateSamples } from '../../src/runtime.js';
import { obsMetrics } from '../../exporters/obs/metrics.js';
import { workerStatusSamples } from '../../exporters/obs/samples.js';
import { parseWorkerStatus, WorkerStatusParser } from '../../exporters/obs/workerstatus.js';
import { generateWorkerStatus } from '../../sim/obs/generator.js';
import { obj } from './helpers.js';

describe('generated worker status documents of 5,000 workers', () => {
  // 125 hosts × 40 instances, as on a large farm (obs-arm-9:40).
  const generated = generateWorkerStatus({ hosts: 125, instancesPerHost: 40, partitions: ['main', 'arm'], seed: 7 });
  const s = parseWorkerStatus(generated.xml);
  const t = generated.totals;

  it('has the shape the test relies on (duplicates, every state, old-style ids)', () => {
    expect(t.workers).toBe(125 * 40);
    expect(t.workerRows).toBeGreaterThan(t.workers); // stale duplicate rows are present
    const states = Object.values(t.byHostarch).reduce((acc, c) => ({ building: acc.building + c.building, idle: acc.idle + c.idle, dead: acc.dead + c.dead, down: acc.down + c.down, away: acc.away + c.away }));
    for (const n of Object.values(states)) expect(n).toBeGreaterThan(0);
    expect(generated.xml).toMatch(/workerid="build006\/1"/);
  });

  it('counts workers per host arch and state exactly as the generator put them in', () => {
    expect(obj(s.workers)).toEqual(t.byHostarch);
    let total = 0;
    for (const c of s.workers.values()) total += c.building + c.idle + c.dead + c.down + c.away;
    expect(total).toBe(125 * 40);
  });

  it('counts instances per worker host', () => {
    expect(Object.fromEntries([...s.hosts].map(([h, m]) => [h, obj(m)]))).toEqual(t.byHost);
    expect(s.hosts.size).toBe(125);
  });

  it('reads jobs, oldest starts, averages and daemons', () => {
    expect(obj(s.waiting)).toEqual(t.waiting);
    expect(obj(s.blocked)).toEqual(t.blocked);
    expect(obj(s.building)).toEqual(t.building);
    expect(obj(s.oldestBuildStart)).toEqual(t.oldestStart);
    expect(obj(s.buildAverageSeconds)).toEqual(t.buildavg);
    expect(s.daemons).toEqual(t.daemons);
  });

  it('gives the same summary when fed in 16 KiB chunks', () => {
    const p = new WorkerStatusParser();
    for (let i = 0; i < generated.xml.length; i += 16_384) p.write(generated.xml.slice(i, i + 16_384));
    expect(obj(p.end().workers)).toEqual(t.byHostarch);
  });

  it('turns into valid samples: five states per host arch, enum daemons, building 0 not absent', () => {
    const samples = workerStatusSamples('community', s);
    expect(validateSamples({ name: 'obs', metrics: obsMetrics }, samples)).toBeNull();
    const value = (name: string, labels: Record<string, string>) =>
      samples.filter((x) => x.metric.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).map((x) => x.value);
    for (const hostarch of Object.keys(t.byHostarch)) expect(value('headroom_obs_workers', { hostarch })).toHaveLength(5);
    // 'local' has a scheduler and a queue but nothing builds there.
    expect(value('headroom_obs_jobs_building', { arch: 'local' })).toEqual([0]);
    expect(value('headroom_obs_oldest_build_start_timestamp_seconds', { arch: 'local' })).toEqual([]);
    // Partition "arm": its i586 scheduler boots, its publisher is dead, its warden reports "restarting".
    expect(value('headroom_obs_daemon_state', { partition: 'arm', type: 'scheduler', arch: 'i586', state: 'booting' })).toEqual([1]);
    expect(value('headroom_obs_daemon_state', { partition: 'arm', type: 'scheduler', arch: 'i586', state: 'running' })).toEqual([0]);
    expect(value('headroom_obs_daemon_state', { partition: 'arm', type: 'warden' }).length).toBe(4);
    expect(value('headroom_obs_daemon_state', { partition: 'arm', type: 'warden', state: 'restarting' })).toEqual([1]);
    const queue = t.daemons.find((d) => d.partition === 'arm' && d.arch === 'aarch64')!.queue!;
    expect(value('headroom_obs_scheduler_queue', { partition: 'arm', arch: 'aarch64', queue: 'next' })).toEqual([queue.next]);
  });

});
