import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/log.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/metrics.js';
import { defaultHostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';
import { createObsCollector } from '../../exporters/obs/collector.js';
import { obsConfigSchema } from '../../exporters/obs/schema.js';
import { generateWorkerStatus } from '../../sim/obs/generator.js';
import { startObsSimulator, type ObsFault, type ObsSimulator } from '../../sim/obs/server.js';
import { freePort } from '../support/net.js';
import { tempDir } from '../support/tmp.js';
import { fixture } from './helpers.js';

const PASSWORD = 's3cret-Pa55word';
const dir = tempDir('headroom-obs-');
const passwordFile = path.join(dir, 'community.pass');
writeFileSync(passwordFile, `${PASSWORD}\n`);
const wrongPasswordFile = path.join(dir, 'wrong.pass');
writeFileSync(wrongPasswordFile, 'not-the-password\n');

/** A runtime whose log lines are kept, to check what an operator would read. */
function runtimeFor(instances: unknown[]) {
  const logs: string[] = [];
  const log = createLogger('debug', (line) => logs.push(line));
  const config = obsConfigSchema({ baseDir: dir }).parse({ instances });
  const collector = createObsCollector(config);
  const runtime = new CollectorRuntime([collector], { paths: defaultHostPaths, log });
  afterAll(() => runtime.stop());
  return { runtime, logs };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.metric.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} series match ${name}`);
  return found[0]?.value;
}

/** Workers per host arch and state of instance "farm" equal the generator's own counts, which add up to `all`. */
function expectWorkerTotals(s: Sample[], byHostarch: Record<string, Record<string, number>>, all: number) {
  let total = 0;
  for (const [hostarch, counts] of Object.entries(byHostarch)) {
    for (const [state, n] of Object.entries(counts)) {
      expect(value(s, 'headroom_obs_workers', { obs: 'farm', hostarch, state })).toBe(n);
      total += n;
    }
  }
  expect(total).toBe(all);
}

let sim: ObsSimulator;
beforeAll(async () => {
  sim = await startObsSimulator({
    credentials: { username: 'monitor', password: PASSWORD },
    workerStatus: fixture('workerstatus.docs-example.xml'),
    results: { 'openSUSE:Factory': fixture('resultlist.api-opensuse-org-2020.openSUSE_Factory.view-summary.xml') },
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.setFault(null));

describe('OBS collector against the simulated API', () => {
  it('exports one build-start series per building worker only when per_worker_builds is set', async () => {
    // The fixture's <building> rows, read with a regex rather than the parser under test.
    const rows = [...fixture('workerstatus.docs-example.xml').matchAll(/<building ([^>]*)\/>/g)].map((m) =>
      Object.fromEntries([...m[1]!.matchAll(/(\w+)='([^']*)'/g)].map((a) => [a[1]!, a[2]!])),
    );
    expect(rows).toHaveLength(3);
    const instance = { url: sim.url, username: 'monitor', password_file: passwordFile };
    const { runtime } = runtimeFor([{ name: 'plain', ...instance }, { name: 'detailed', ...instance, per_worker_builds: true }]);
    await runtime.refreshCollector('obs');
    const s = runtime.snapshot();
    const buildStarts = (obs: string) => s.filter((x) => x.metric.name === 'headroom_obs_build_start_timestamp_seconds' && x.labels.obs === obs);
    expect(buildStarts('plain')).toEqual([]);
    expect(value(s, 'headroom_obs_oldest_build_start_timestamp_seconds', { obs: 'plain', arch: 'x86_64' })).toBe(1289838671);
    expect(buildStarts('detailed').map((x) => ({ ...x.labels, start: x.value }))).toEqual(
      rows.map((r) => ({ obs: 'detailed', worker: r.workerid, host: 'build03', project: r.project, repository: r.repository, package: r.package, arch: r.arch, start: Number(r.starttime) })),
    );
  });

  it('exports the worker status and project results of an instance', async () => {
    const { runtime } = runtimeFor([
      { name: 'community', url: sim.url, username: 'monitor', password_file: passwordFile, projects: ['openSUSE:Factory'] },
    ]);
    const before = Date.now() / 1000;
    await runtime.refreshCollector('obs');
    const s = runtime.snapshot();
    const obs = { obs: 'community' };
    const health = { collector: 'obs', source: 'community' };
    expect(value(s, 'headroom_collector_source_up', health)).toBe(1);
    expect(value(s, 'headroom_collector_source_last_success_timestamp_seconds', health)).toBeGreaterThanOrEqual(before);
    expect(value(s, 'headroom_obs_jobs_waiting', { ...obs, arch: 'i586' })).toBe(2160);
    expect(value(s, 'headroom_obs_jobs_blocked', { ...obs, arch: 'i586' })).toBe(7215);
    expect(value(s, 'headroom_obs_jobs_building', { ...obs, arch: 'local' })).toBe(0);
    expect(value(s, 'headroom_obs_jobs_building', { ...obs, arch: 'i586' })).toBe(2);
    expect(value(s, 'headroom_obs_oldest_build_start_timestamp_seconds', { ...obs, arch: 'local' })).toBeUndefined();
    expect(value(s, 'headroom_obs_oldest_build_start_timestamp_seconds', { ...obs, arch: 'x86_64' })).toBe(1289838671);
    expect(value(s, 'headroom_obs_build_average_duration_seconds', { ...obs, arch: 'x86_64' })).toBe(6313.8886610886);
    expect(value(s, 'headroom_obs_workers', { ...obs, hostarch: 'x86_64', state: 'building' })).toBe(3);
    expect(value(s, 'headroom_obs_workers', { ...obs, hostarch: 'x86_64', state: 'dead' })).toBe(0);
    expect(value(s, 'headroom_obs_worker_host_instances', { ...obs, host: 'build03', state: 'building' })).toBe(3);
    expect(value(s, 'headroom_obs_worker_host_instances', { ...obs, host: 'build03', state: 'idle' })).toBeUndefined();
    expect(value(s, 'headroom_obs_scheduler_queue', { ...obs, partition: 'main', arch: 'i586', queue: 'next' })).toBe(9730);
    expect(value(s, 'headroom_obs_daemon_state', { ...obs, partition: 'main', type: 'warden', arch: '', state: 'running' })).toBe(1);
    expect(value(s, 'headroom_obs_daemon_state', { ...obs, partition: 'main', type: 'warden', arch: '', state: 'dead' })).toBe(0);
    const repo = { ...obs, project: 'openSUSE:Factory', repository: 'standard', arch: 'x86_64' };
    expect(value(s, 'headroom_obs_packages', { ...repo, code: 'succeeded' })).toBe(14099);
    expect(value(s, 'headroom_obs_packages', { ...repo, code: 'broken' })).toBeUndefined();
    expect(value(s, 'headroom_obs_repository_state', { ...repo, state: 'published' })).toBe(1);
    expect(value(s, 'headroom_obs_repository_state', { ...repo, state: 'building' })).toBe(0);
    expect(value(s, 'headroom_collector_success', { collector: 'obs' })).toBe(1);
    // The project name is URL-encoded in the request; basic auth was sent.
    expect(sim.requests.some((r) => r.path === '/build/openSUSE%3AFactory/_result?view=summary' && r.authorized)).toBe(true);
  });

  it('falls back to /build/_workerstatus on a server before 2.8 and remembers it', async () => {
    const { runtime } = runtimeFor([{ name: 'old', url: sim.url, username: 'monitor', password_file: passwordFile }]);
    sim.setFault('old-server');
    sim.requests.length = 0;
    await runtime.refreshCollector('obs');
    await runtime.refreshCollector('obs');
    expect(sim.requests.map((r) => r.path)).toEqual(['/worker/_status', '/build/_workerstatus', '/build/_workerstatus']);
    expect(value(runtime.snapshot(), 'headroom_collector_source_up', { collector: 'obs', source: 'old' })).toBe(1);
    expect(value(runtime.snapshot(), 'headroom_obs_jobs_waiting', { obs: 'old', arch: 'x86_64' })).toBe(2013);
  });

  it('reads the pre-2.5 format served by an old server', async () => {
    const old = await startObsSimulator({ workerStatus: fixture('workerstatus.docs-example.pre-2.5-format.xml') });
    afterAll(() => old.close());
    old.setFault('old-server');
    const { runtime } = runtimeFor([{ name: 'mer', url: old.url }]);
    await runtime.refreshCollector('obs');
    const s = runtime.snapshot();
    expect(value(s, 'headroom_collector_source_up', { collector: 'obs', source: 'mer' })).toBe(1);
    expect(value(s, 'headroom_obs_daemon_state', { obs: 'mer', partition: 'main', type: 'dispatcher', arch: '', state: 'running' })).toBe(1);
    expect(value(s, 'headroom_obs_daemon_state', { obs: 'mer', partition: 'main', type: 'scheduler', arch: 'dispatcher', state: 'running' })).toBeUndefined();
    expect(value(s, 'headroom_obs_scheduler_queue', { obs: 'mer', partition: 'main', arch: 'x86_64', queue: 'low' })).toBe(4690);
  });

  it('streams a generated 5,000-worker document and exports the generator\'s totals', async () => {
    // 250 hosts × 20 instances in three partitions: about 600 KB, many socket reads, each fed in slices.
    const generated = generateWorkerStatus({ hosts: 250, instancesPerHost: 20, partitions: ['main', 'arm', 'ports'], seed: 11 });
    const big = await startObsSimulator({ workerStatus: generated.xml });
    afterAll(() => big.close());
    const { runtime } = runtimeFor([{ name: 'farm', url: big.url }]);
    await runtime.refreshCollector('obs');
    const s = runtime.snapshot();
    expect(value(s, 'headroom_collector_source_up', { collector: 'obs', source: 'farm' })).toBe(1);
    expectWorkerTotals(s, generated.totals.byHostarch, 250 * 20);
    for (const [host, counts] of Object.entries(generated.totals.byHost)) {
      for (const [state, n] of Object.entries(counts)) expect(value(s, 'headroom_obs_worker_host_instances', { obs: 'farm', host, state })).toBe(n);
    }
    for (const [arch, n] of Object.entries(generated.totals.building)) expect(value(s, 'headroom_obs_jobs_building', { obs: 'farm', arch })).toBe(n);
    for (const [arch, t] of Object.entries(generated.totals.oldestStart)) {
      expect(value(s, 'headroom_obs_oldest_build_start_timestamp_seconds', { obs: 'farm', arch })).toBe(t);
    }
    for (const d of generated.totals.daemons) {
      expect(value(s, 'headroom_obs_daemon_state', { obs: 'farm', partition: d.partition, type: d.type, arch: d.arch, state: d.state })).toBe(1);
    }
  });

  it('asks for gzip and reads a compressed 5,000-worker document to the same totals', async () => {
    const generated = generateWorkerStatus({ hosts: 250, instancesPerHost: 20, partitions: ['main', 'arm'], seed: 5 });
    const deflating = await startObsSimulator({ workerStatus: generated.xml, gzip: true });
    afterAll(() => deflating.close());
    const { runtime } = runtimeFor([{ name: 'farm', url: deflating.url }]);
    await runtime.refreshCollector('obs');
    const s = runtime.snapshot();
    expect(value(s, 'headroom_collector_source_up', { collector: 'obs', source: 'farm' })).toBe(1);
    expectWorkerTotals(s, generated.totals.byHostarch, 250 * 20);
    expect(deflating.requests.length).toBeGreaterThan(0);
    expect(deflating.requests.every((r) => r.acceptsGzip)).toBe(true); // so the reply was compressed
  });

  it('polls several instances, each on its own, and fails the collector only as a whole', async () => {
    const qa = await startObsSimulator({ workerStatus: fixture('workerstatus.cassette-2025-two-idle-workers.xml') });
    afterAll(() => qa.close());
    const { runtime } = runtimeFor([
      { name: 'qa', url: qa.url },
      { name: 'community', url: sim.url, username: 'monitor', password_file: passwordFile },
    ]);
    await runtime.refreshCollector('obs');
    let s = runtime.snapshot();
    expect(value(s, 'headroom_obs_workers', { obs: 'qa', hostarch: 'x86_64', state: 'idle' })).toBe(2);
    expect(value(s, 'headroom_obs_workers', { obs: 'community', hostarch: 'x86_64', state: 'idle' })).toBe(1);
    expect(value(s, 'headroom_collector_success', { collector: 'obs' })).toBe(1);
    qa.setFault('server-error');
    await runtime.refreshCollector('obs');
    s = runtime.snapshot();
    expect(value(s, 'headroom_collector_source_up', { collector: 'obs', source: 'qa' })).toBe(0);
    expect(value(s, 'headroom_collector_source_up', { collector: 'obs', source: 'community' })).toBe(1);
    expect(value(s, 'headroom_obs_workers', { obs: 'qa', hostarch: 'x86_64', state: 'idle' })).toBe(2);
    expect(value(s, 'headroom_collector_success', { collector: 'obs' })).toBe(0);
  });
});

describe('OBS collector faults: up 0, a message naming the instance, last good data kept', () => {
  const faults: Array<[ObsFault, RegExp, { timeout?: string; max_response_size?: string }?]> = [
    ['unauthorized', /HTTP 401 Unauthorized \(check username and password_file\): Authentication required/],
    ['not-found', /neither \/worker\/_status nor \/build\/_workerstatus exists/],
    ['server-error', /HTTP 503 Service Unavailable/],
    ['slow-start', /timed out after 0.5s/, { timeout: '500ms' }],
    ['stall', /timed out after 0.5s/, { timeout: '500ms' }],
    ['reset', /connection (lost|closed) after \d+ bytes, before the response was complete/],
    ['truncated', /malformed XML/],
    ['malformed', /malformed XML/],
    ['html', /got <html>|HTML page/],
    ['huge', /exceeds max_response_size \(16777216 bytes\).*refused as hostile/],
    ['garbage', /malformed XML/],
    ['bad-gzip', /gzip body cannot be decoded/],
    ['gzip-bomb', /exceeds max_response_size \(16777216 bytes\).*refused as hostile/],
  ];
  for (const [fault, message, extra] of faults) {
    it(fault, async () => {
      const { runtime, logs } = runtimeFor([
        { name: 'community', url: sim.url, username: 'monitor', password_file: passwordFile, ...(extra ?? {}) },
      ]);
      await runtime.refreshCollector('obs');
      const goodAt = value(runtime.snapshot(), 'headroom_collector_source_last_success_timestamp_seconds', { collector: 'obs', source: 'community' });
      expect(goodAt).toBeGreaterThan(0);

      sim.setFault(fault);
      await runtime.refreshCollector('obs');
      const s = runtime.snapshot();
      expect(value(s, 'headroom_collector_source_up', { collector: 'obs', source: 'community' })).toBe(0);
      expect(value(s, 'headroom_collector_source_last_success_timestamp_seconds', { collector: 'obs', source: 'community' })).toBe(goodAt);
      expect(value(s, 'headroom_obs_jobs_waiting', { obs: 'community', arch: 'i586' })).toBe(2160);
      expect(value(s, 'headroom_collector_success', { collector: 'obs' })).toBe(0);

      const status = runtime.status()[0]!.sources[0]!;
      expect(status.lastError).toMatch(message);
      const failure = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'collection failed; serving last good data');
      expect(failure).toMatchObject({ source: 'community', collector: 'obs' });
      expect(String(failure!.err)).toMatch(message);
      if (!/timed out/.test(status.lastError!)) expect(status.lastError).toMatch(/^OBS instance "community": /);
      const secret = Buffer.from(`monitor:${PASSWORD}`).toString('base64');
      for (const line of logs) expect(line.includes(PASSWORD) || line.includes(secret)).toBe(false);

      // It recovers once the server behaves again (a hung request does not block the next poll).
      sim.setFault(null);
      await runtime.refreshCollector('obs');
      expect(value(runtime.snapshot(), 'headroom_collector_source_up', { collector: 'obs', source: 'community' })).toBe(1);
    });
  }

  it('wrong credentials', async () => {
    const { runtime, logs } = runtimeFor([{ name: 'community', url: sim.url, username: 'monitor', password_file: wrongPasswordFile }]);
    await runtime.refreshCollector('obs');
    expect(value(runtime.snapshot(), 'headroom_collector_source_up', { collector: 'obs', source: 'community' })).toBe(0);
    expect(value(runtime.snapshot(), 'headroom_collector_source_last_success_timestamp_seconds', { collector: 'obs', source: 'community' })).toBeUndefined();
    expect(runtime.status()[0]!.sources[0]!.lastError).toMatch(/OBS instance "community": GET http:\/\/127\.0\.0\.1:\d+\/worker\/_status: HTTP 401/);
    for (const line of logs) expect(line).not.toContain('not-the-password');
  });

  it('connection refused', async () => {
    const port = await freePort();
    const { runtime } = runtimeFor([{ name: 'gone', url: `http://127.0.0.1:${port}` }]);
    await runtime.refreshCollector('obs');
    expect(value(runtime.snapshot(), 'headroom_collector_source_up', { collector: 'obs', source: 'gone' })).toBe(0);
    expect(runtime.status()[0]!.sources[0]!.lastError).toMatch(/OBS instance "gone": GET .*: connection refused \(ECONNREFUSED\)/);
  });

  it('an unknown project', async () => {
    const { runtime } = runtimeFor([{ name: 'community', url: sim.url, username: 'monitor', password_file: passwordFile, projects: ['no:such project'] }]);
    await runtime.refreshCollector('obs');
    expect(value(runtime.snapshot(), 'headroom_collector_source_up', { collector: 'obs', source: 'community' })).toBe(0);
    expect(runtime.status()[0]!.sources[0]!.lastError).toMatch(/project "no:such project": .*no%3Asuch%20project.*HTTP 404.*Project not found/);
  });

  it('a smaller max_response_size refuses an ordinary document', async () => {
    const { runtime } = runtimeFor([{ name: 'community', url: sim.url, username: 'monitor', password_file: passwordFile, max_response_size: '1KiB' }]);
    await runtime.refreshCollector('obs');
    expect(runtime.status()[0]!.sources[0]!.lastError).toMatch(/response of 1725 bytes exceeds max_response_size \(1024 bytes\)/);
  });
});
