// Issue 17's signals against a real OBS 2.9 back end (one for the file): job outcomes and build
// times from the job history, in-flight builds, daemon start times and starved packages. Every
// expected value is read from the back end's own replies with plain regular expressions
// (reply.ts and below), never from headroom's parsers.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/metrics.js';
import { defaultHostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';
import { createObsCollector } from '../../exporters/obs/collector.js';
import { obsConfigSchema } from '../../exporters/obs/schema.js';
import { DURATION_BUCKETS } from '../../exporters/obs/metrics.js';
import { realObsUnavailable, startRealObs, type RealObs } from '../../sim/real-obs/backend.js';
import { waitFor } from '../../sim/net.js';
import { tempDir } from '../support/tmp.js';
import { readWorkerStatus } from './reply.js';

const unavailable = realObsUnavailable();
const dir = tempDir('headroom-obs-outcomes-');
const PROJECT = 'watched';
const obsLabel = { obs: 'real' };

function attrs(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** The `<jobhist .../>` entries of a `_jobhistory` reply. */
function jobHistory(xml: string): Array<Record<string, string>> {
  return [...xml.matchAll(/<jobhist\s[^>]*>/g)].map((m) => attrs(m[0]));
}

function series(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter((s) => s.metric.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

function one(samples: Sample[], name: string, labels: Record<string, string>): Sample | undefined {
  const found = series(samples, name, labels);
  if (found.length > 1) throw new Error(`${found.length} series match ${name}`);
  return found[0];
}

describe.skipIf(unavailable !== null)('job outcomes, in-flight builds, daemon starts and starved packages on a real OBS 2.9', () => {
  let obs: RealObs;
  let runtime: CollectorRuntime;
  const history = () => obs.get(`/build/${PROJECT}/standard/x86_64/_jobhistory?limit=1000`);

  beforeAll(async () => {
    obs = await startRealObs({ archs: ['x86_64', 'aarch64'], workers: 2 });
    await obs.createProject(PROJECT, { archs: ['x86_64', 'aarch64'] });
    writeFileSync(path.join(dir, 'unused'), '');
    const config = obsConfigSchema({ baseDir: dir }).parse({ instances: [{ name: 'real', url: obs.url, watch: [{ project: PROJECT }], per_worker_builds: true }] });
    runtime = new CollectorRuntime([createObsCollector(config)], { paths: defaultHostPaths, log: silentLogger() });
  }, 120_000);
  afterAll(async () => {
    runtime?.stop();
    const groups = obs ? Object.values(obs.pids()) : [];
    await obs?.stop();
    for (const pgid of groups) expect(() => process.kill(-pgid, 0)).toThrow();
  });

  it('counts the jobs the back end lists as new since the first poll, per worker and code, with their durations', async () => {
    await runtime.refreshCollector('obs'); // the first poll only sets the high-water mark
    const before = jobHistory(await history());
    for (const pkg of ['one', 'two', 'three']) await obs.addPackage(PROJECT, pkg);
    for (const pkg of ['one', 'two', 'three']) await obs.waitFor(PROJECT, pkg, 'x86_64', 'failed', 120_000);

    // Poll between two identical histories: nothing ended while headroom read it.
    let entries: Array<Record<string, string>> = [];
    for (let attempt = 0; ; attempt++) {
      const a = await history();
      await runtime.refreshCollector('obs');
      if (a === (await history())) {
        entries = jobHistory(a);
        break;
      }
      if (attempt > 20) throw new Error('the job history never held still around a poll');
    }
    const seenBefore = new Set(before.map((e) => JSON.stringify(e)));
    const fresh = entries.filter((e) => !seenBefore.has(JSON.stringify(e)));
    expect(fresh.length).toBeGreaterThanOrEqual(3);
    const s = runtime.snapshot();

    const perWorkerCode = new Map<string, number>();
    for (const e of fresh) perWorkerCode.set(`${e.workerid} ${e.code}`, (perWorkerCode.get(`${e.workerid} ${e.code}`) ?? 0) + 1);
    const counted = series(s, 'headroom_obs_jobs_finished_total', obsLabel);
    expect(new Map(counted.map((c) => [`${c.labels.worker} ${c.labels.code}`, c.value]))).toEqual(perWorkerCode);
    for (const c of counted) expect(c.labels).toMatchObject({ arch: 'x86_64', host: 'realobs' });
    expect([...perWorkerCode.keys()].every((k) => /^realobs:[12] failed$/.test(k))).toBe(true);

    // Durations: end - start of the same entries, bucketed by brute force.
    const seconds = fresh.map((e) => Number(e.endtime) - Number(e.starttime));
    const h = one(s, 'headroom_obs_job_duration_seconds', { ...obsLabel, arch: 'x86_64' })!;
    expect(h.value).toBe(seconds.length);
    expect(h.histogram!.sum).toBe(seconds.reduce((a, b) => a + b, 0));
    expect(h.histogram!.cumulative).toEqual(DURATION_BUCKETS.map((le) => seconds.filter((x) => x <= le).length));
    const host = one(s, 'headroom_obs_worker_host_job_duration_seconds', { ...obsLabel, host: 'realobs' })!;
    expect(host.value).toBe(seconds.length);
    for (const worker of new Set(fresh.map((e) => e.workerid!))) {
      const mine = fresh.filter((e) => e.workerid === worker).map((e) => Number(e.endtime) - Number(e.starttime));
      const w = one(s, 'headroom_obs_worker_job_duration_seconds', { ...obsLabel, worker, arch: 'x86_64' })!;
      expect([w.value, w.histogram!.sum]).toEqual([mine.length, mine.reduce((a, b) => a + b, 0)]);
    }
  }, 300_000);

  it('an in-flight build (its worker frozen) is what _workerstatus lists as building', async () => {
    const { job, release } = await obs.freezeBuild(PROJECT, 'one', 'x86_64');
    try {
      const xml = await obs.workerStatus();
      const rows = readWorkerStatus(xml).building;
      expect(rows.map((r) => r.workerid)).toContain(job.status!.workerid);
      await runtime.refreshCollector('obs');
      expect(await obs.workerStatus()).toBe(xml);
      const s = runtime.snapshot();
      const inflight = series(s, 'headroom_obs_build_start_timestamp_seconds', obsLabel);
      const byWorker = (a: Record<string, string | number>, b: Record<string, string | number>) => String(a.worker).localeCompare(String(b.worker));
      expect(inflight.map((x): Record<string, string | number> => ({ ...x.labels, start: x.value })).sort(byWorker)).toEqual(
        rows
          .map((r): Record<string, string | number> => ({ ...obsLabel, worker: r.workerid!, host: 'realobs', project: r.project!, repository: r.repository!, package: r.package!, arch: r.arch!, start: Number(r.starttime) }))
          .sort(byWorker),
      );
    } finally {
      release();
    }
  }, 240_000);

  it('a killed and restarted scheduler: its start time series goes away, then shows the new start time', async () => {
    const sched = { ...obsLabel, partition: 'main', type: 'scheduler', arch: 'aarch64' };
    const startOf = (xml: string) => readWorkerStatus(xml).daemons.get('scheduler/aarch64')?.starttime;
    await runtime.refreshCollector('obs');
    const first = startOf(await obs.workerStatus());
    expect(one(runtime.snapshot(), 'headroom_obs_daemon_start_timestamp_seconds', sched)?.value).toBe(Number(first));

    await obs.killScheduler('aarch64');
    await obs.waitForWorkerStatus((x) => startOf(x) === undefined, 'the dead scheduler without a start time');
    await runtime.refreshCollector('obs');
    expect(one(runtime.snapshot(), 'headroom_obs_daemon_start_timestamp_seconds', sched)).toBeUndefined();

    await obs.restartScheduler('aarch64');
    await runtime.refreshCollector('obs');
    const second = startOf(await obs.workerStatus());
    expect(Number(second)).toBeGreaterThan(Number(first));
    expect(one(runtime.snapshot(), 'headroom_obs_daemon_start_timestamp_seconds', sched)?.value).toBe(Number(second));
  }, 180_000);

  // OBS 2.9.4's dispatcher (bs_dispatch checkconstraints) writes "waiting for N compliant
  // workers (M of them down)" into a scheduled package's details while some worker could take
  // the job; when no worker meets the constraints it fails the job instead ("package build was
  // not possible: no compliant workers ..."), so on this version such a package is failed, not
  // scheduled, and is not starved: headroom agrees with the back end's scheduled list.
  it('a package whose constraints no worker meets: failed by the dispatcher, and not counted as starved', async () => {
    await obs.addPackage(PROJECT, 'huge', { files: { 'huge.spec': specOf('huge'), _constraints: '<constraints><hostlabel>NO_SUCH_LABEL</hostlabel></constraints>\n' } });
    await obs.waitFor(PROJECT, 'huge', 'x86_64', 'failed', 120_000);
    const log = await obs.get(`/build/${PROJECT}/standard/x86_64/huge/_log`);
    expect(log).toMatch(/no compliant workers/);
    const scheduled = await obs.result(PROJECT, '?code=scheduled');
    await runtime.refreshCollector('obs');
    expect(await obs.result(PROJECT, '?code=scheduled')).toBe(scheduled);
    const compliantDetails = [...scheduled.matchAll(/<details>([^<]*compliant[^<]*)<\/details>/g)].length;
    const starved = series(runtime.snapshot(), 'headroom_obs_packages_starved', obsLabel);
    expect(starved.reduce((n, x) => n + x.value, 0)).toBe(compliantDetails);
  }, 300_000);
});

function specOf(name: string): string {
  return [`Name: ${name}`, 'Version: 1.0', 'Release: 0', `Summary: ${name}`, 'License: MIT', '%description', name, '%prep', '%build', '%install', '%files', '%changelog', ''].join('\n');
}
