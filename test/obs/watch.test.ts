// Job outcomes, in-flight builds, daemon starts and starved packages: parsers on replies of a
// real OBS 2.9.4 back end, and the collector against the simulator for volume.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/metrics.js';
import { defaultHostPaths } from '../../src/paths.js';
import { createObsCollector } from '../../exporters/obs/collector.js';
import { obsConfigSchema } from '../../exporters/obs/schema.js';
import { parseJobHistory } from '../../exporters/obs/jobhistory.js';
import { JobOutcomes } from '../../exporters/obs/job-outcomes.js';
import { parseScheduledResult, starvedReason } from '../../exporters/obs/starved.js';
import { parseWorkerStatus } from '../../exporters/obs/workerstatus.js';
import { generateJobs, jobHistoryXml } from '../../sim/obs/jobhistory.js';
import { startObsSimulator, type ObsSimulator } from '../../sim/obs/server.js';
import { tempDir } from '../support/tmp.js';
import { fixture } from './helpers.js';

const real = (name: string) => fixture(`real-backend-2.9/${name}`);

describe('job history of a real OBS 2.9.4', () => {
  // 07-jobhistory-x86_64.xml read by eye: four failed jobs, realobs:1 ran two of them.
  it('reads every finished job with its worker, times and code', () => {
    const jobs = parseJobHistory(real('07-jobhistory-x86_64.xml'));
    expect(jobs.map((j) => [j.package, j.workerId, j.code, j.endTime - j.startTime])).toEqual([
      ['hello', 'realobs:1', 'failed', 0],
      ['hello', 'realobs:2', 'failed', 0],
      ['dns-root-data', 'realobs:3', 'failed', 0],
      ['needsdns', 'realobs:1', 'failed', 1],
    ]);
  });

  it('counts nothing on the first read, then each new job once, also when several end in the same second', () => {
    const all = parseJobHistory(real('07-jobhistory-x86_64.xml'));
    const outcomes = new JobOutcomes();
    // The first two jobs were there when headroom started.
    expect(outcomes.observe('test/standard/x86_64', 'x86_64', all.slice(0, 2))).toBe(0);
    // dns-root-data and needsdns came later: dns-root-data ended at 1796396720, needsdns at ...722.
    expect(outcomes.observe('test/standard/x86_64', 'x86_64', all.slice(0, 3))).toBe(1);
    expect(outcomes.observe('test/standard/x86_64', 'x86_64', all)).toBe(1);
    expect(outcomes.observe('test/standard/x86_64', 'x86_64', all)).toBe(0);
    const counts = Object.fromEntries([...outcomes.outcomes.values()].map((o) => [`${o.worker} ${o.code}`, o.count]));
    expect(counts).toEqual({ 'realobs:3 failed': 1, 'realobs:1 failed': 1 });
    // Two jobs, 0 s and 1 s: both in the first bucket (60 s) and every later one.
    expect(outcomes.durationsByArch.get('x86_64')).toEqual({ buckets: new Array(11).fill(2), count: 2, sumSeconds: 1 });
    expect([...outcomes.durationsByWorker.values()]).toEqual([
      { worker: 'realobs:3', host: 'realobs', arch: 'x86_64', count: 1, sumSeconds: 0 },
      { worker: 'realobs:1', host: 'realobs', arch: 'x86_64', count: 1, sumSeconds: 1 },
    ]);

    const sameSecond = { ...all[3]!, package: 'other', rev: '9' }; // ends with needsdns, a different job
    expect(outcomes.observe('test/standard/x86_64', 'x86_64', [...all, sameSecond])).toBe(1);
  });

  it('a restarted headroom (fresh state) does not count the history again', () => {
    const restarted = new JobOutcomes();
    expect(restarted.observe('test/standard/x86_64', 'x86_64', parseJobHistory(real('07-jobhistory-x86_64.xml')))).toBe(0);
    expect(restarted.outcomes.size).toBe(0);
  });
});

describe('worker status of a real OBS 2.9.4: in-flight builds and daemon starts', () => {
  it('names the building worker, its job and its start time', () => {
    const s = parseWorkerStatus(real('04-workerstatus-building.xml'));
    expect(s.running).toEqual([{ workerId: 'realobs:2', host: 'realobs', project: 'test', repository: 'standard', package: 'hello', arch: 'x86_64', startTime: 1796396678 }]);
    expect(s.daemonStarts.find((d) => d.type === 'scheduler' && d.arch === 'x86_64')?.startTime).toBe(1796396617);
    expect(s.daemonStarts.find((d) => d.type === 'srcserver')?.startTime).toBe(1796396616);
  });

  it('a killed scheduler has no start time', () => {
    const s = parseWorkerStatus(real('08-workerstatus-sched-aarch64-dead-worker3-exited.xml'));
    expect(s.daemons.find((d) => d.type === 'scheduler' && d.arch === 'aarch64')?.state).toBe('dead');
    expect(s.daemonStarts.find((d) => d.type === 'scheduler' && d.arch === 'aarch64')).toBe(undefined);
    expect(s.daemonStarts.find((d) => d.type === 'scheduler' && d.arch === 'i586')?.startTime).toBe(1796396617);
  });

  it('a start time of 0 is unknown, not 1970', () => {
    const s = parseWorkerStatus('<workerstatus><building workerid="w:1" hostarch="x86_64" project="p" repository="r" package="k" arch="x86_64" starttime="0"/></workerstatus>');
    expect(s.running[0]!.startTime).toBe(null);
    expect(s.oldestBuildStart.size).toBe(0);
  });
});

describe('starved packages', () => {
  it('classifies the dispatcher wording', () => {
    expect(starvedReason('no compliant workers')).toBe('no_compliant_workers');
    expect(starvedReason('waiting for 2 compliant workers (2 of them down)')).toBe('compliant_workers_down');
    expect(starvedReason('waiting for 3 compliant workers (1 of them down)')).toBe('compliant_workers_busy');
    expect(starvedReason('waiting for 3 compliant workers')).toBe('compliant_workers_busy');
    expect(starvedReason('nothing provides hello')).toBe(null);
  });

  it('lists the repositories of a real reply; scheduled packages without such details are not starved', () => {
    const r = parseScheduledResult(real('06-result-all-states.xml'));
    expect(r.repositories.map((x) => x.arch)).toEqual(['x86_64', 'i586', 'aarch64']);
    expect(r.starved.size).toBe(0);
  });

  it('counts scheduled packages per arch and reason', () => {
    const xml = `<resultlist state="x">
  <result project="p" repository="r" arch="x86_64" code="building" state="building">
    <status package="a" code="scheduled"><details>no compliant workers</details></status>
    <status package="b" code="scheduled"><details>waiting for 2 compliant workers (2 of them down)</details></status>
    <status package="c" code="scheduled"><details>no compliant workers</details></status>
    <status package="d" code="failed"><details>no compliant workers</details></status>
  </result>
</resultlist>`;
    expect(Object.fromEntries(parseScheduledResult(xml).starved)).toEqual({ 'x86_64\u0000no_compliant_workers': 2, 'x86_64\u0000compliant_workers_down': 1 });
  });
});

describe('collector with watched repositories, 100,000 jobs on 5,000 workers', () => {
  const START = 1_800_000_000;
  const history = generateJobs({ count: 100_000, workers: 5000, firstEnd: START, seed: 7 });
  const later = generateJobs({ count: 2000, workers: 5000, firstEnd: START + 100_000, seed: 8 });
  let sim: ObsSimulator;
  beforeAll(async () => {
    sim = await startObsSimulator({
      results: { 'home:big': '<resultlist state="1">\n  <result project="home:big" repository="standard" arch="x86_64" code="building" state="building"/>\n</resultlist>\n' },
      jobHistories: { 'home:big/standard/x86_64': jobHistoryXml(history) },
    });
  });
  afterAll(() => sim?.close());

  it('counts only the jobs that finish after the first poll, each once, per worker and code', async () => {
    const dir = tempDir('headroom-obs-watch-');
    writeFileSync(path.join(dir, 'x'), '');
    const config = obsConfigSchema({ baseDir: dir }).parse({
      instances: [{ name: 'big', url: sim.url, watch: [{ project: 'home:*' }], job_history_limit: 100_000, max_response_size: '64MiB', schedule: '60s', timeout: '60s' }],
    });
    const collector = createObsCollector(config);
    const source = collector.sources[0]!;
    const ctx = { paths: defaultHostPaths, signal: new AbortController().signal, log: silentLogger() };
    const finished = (s: Sample[]) => s.filter((x) => x.metric.name === 'headroom_obs_jobs_finished_total');
    expect(finished(await source.collect(ctx))).toEqual([]);
    sim.setJobHistory('home:big/standard/x86_64', jobHistoryXml([...history.slice(later.length), ...later]));
    const second = finished(await source.collect(ctx));
    const expected = new Map<string, number>();
    for (const j of later) expected.set(`${j.workerId} ${j.code}`, (expected.get(`${j.workerId} ${j.code}`) ?? 0) + 1);
    expect(new Map(second.map((s) => [`${s.labels.worker} ${s.labels.code}`, s.value]))).toEqual(expected);
    // The same history again adds nothing.
    const third = finished(await source.collect(ctx));
    expect(third.reduce((n, s) => n + s.value, 0)).toBe(later.length);
    collector.close?.();
  }, 120_000);
});
