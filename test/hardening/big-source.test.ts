// One very large source against a real `headroom serve` (issue 15, items 1, 4 and 6): an OBS
// instance with 125,000 distinct worker hosts must neither blank /metrics for the other
// collectors (it used to answer 500 "Maximum call stack size exceeded" for everything) nor grow
// without bound past the series limit; slow readers and crowds of scrapers are cut off.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEstate, type Estate } from '../../bench/soak.js';
import { generateWorkerStatus } from '../../sim/obs/generator.js';
import { startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { parseMetricsText, valueOf } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';

const COLLECTORS = ['obs', 'worker', 'swap', 'vmhost', 'backup'] as const;
// Under the parser's own bounds (20,000 worker hosts a document, see exporters/obs/workerstatus.ts)
// yet some 150,000 series: a host series per state present and one in-flight series per building
// worker (8 instances a host, 55 % building). Before the fix a source this size overflowed the
// stack of every render.
const BIG_HOSTS = 19_000;
const BIG_INSTANCES_PER_HOST = 8;
const SMALL_HOSTS = 50; // buildEstate's default worker status: 50 hosts × 20 instances
const RAISED_LIMIT = 400_000;
const IDLE_TIMEOUT_SECONDS = 30; // long enough to send the 10 MB page on a busy machine
const MAX_REQUESTS = 2;

let estate: Estate;
/** series_limit raised above the big document, with a request limit and a short idle timeout. */
let raised: ExporterProcess;
/** The default series limit (100,000), below the big document. */
let defaults: ExporterProcess;
const clients: ChildProcess[] = [];

afterAll(async () => {
  for (const c of clients) c.kill('SIGKILL');
  await raised?.stop('SIGKILL');
  await defaults?.stop('SIGKILL');
  await estate?.close();
});

/** Polling a 10 MB page ten times a second would starve the exporters on a two-core machine. */
const pause = () => new Promise((r) => setTimeout(r, 2000));

async function metrics(exporter: ExporterProcess) {
  const res = await fetch(`${exporter.url}/metrics`);
  const text = await res.text();
  // Parsed only when looked at: polling a 9 MB page must not parse it every time.
  return { status: res.status, text, get series() { return parseMetricsText(text); } };
}

/** Distinct `host` labels of the per-host worker series: the generator's host count is the answer. */
function hostsIn(text: string): number {
  const hosts = new Set<string>();
  for (const m of text.matchAll(/^headroom_obs_worker_host_instances\{[^\n]*host="([^"]*)"/gm)) hosts.add(m[1]!);
  return hosts.size;
}

function successes(series: ReturnType<typeof parseMetricsText>): Record<string, number | undefined> {
  return Object.fromEntries(COLLECTORS.map((c) => [c, valueOf(series, 'headroom_collector_success', { collector: c })]));
}

function everyCollectorOk(series: ReturnType<typeof parseMetricsText>, except: string[] = []): boolean {
  return COLLECTORS.filter((c) => !except.includes(c)).every((c) => valueOf(series, 'headroom_collector_success', { collector: c }) === 1);
}

beforeAll(async () => {
  const dir = tempDir('headroom-hardening-big-');
  estate = await buildEstate(dir, { scheduleSeconds: 5, backupScheduleSeconds: 10, maxResponseBytes: 64 * 1024 * 1024 });
  // Parsing 15 MB takes seconds on a busy machine: the test is about size, not speed.
  const config = readFileSync(estate.configFile, 'utf8').replace(/(\n {8}schedule: )5s\n( {8}timeout: )2s\n/, '$130s\n$230s\n        per_worker_builds: true\n');
  // per_worker_builds: the in-flight series are what takes this document past the default limit.
  if (!config.includes('timeout: 30s')) throw new Error('the OBS instance\'s schedule and timeout were not raised');
  writeFileSync(estate.configFile, config);
  const raisedConfig = `${dir}/raised.yml`;
  writeFileSync(raisedConfig, config.replace('\n  obs:\n', `\n  obs:\n    series_limit: ${RAISED_LIMIT}\n`));
  const args = (file: string) => estate.serveArgs.map((a) => (a === estate.configFile ? file : a));
  raised = await startExporterProcess([
    ...args(raisedConfig),
    '--web.max-requests',
    String(MAX_REQUESTS),
    '--web.idle-timeout',
    `${IDLE_TIMEOUT_SECONDS}s`,
  ]);
  defaults = await startExporterProcess([...estate.serveArgs]);
  // Both first collect the small farm, so the default one has last good data to keep.
  for (const e of [raised, defaults]) {
    await waitFor(async () => {
      const m = await metrics(e);
      return m.status === 200 && hostsIn(m.text) === SMALL_HOSTS && everyCollectorOk(m.series) ? true : undefined;
    }, 'the small farm collected by every collector', 90_000);
  }
  estate.obs.setWorkerStatus(generateWorkerStatus({ hosts: BIG_HOSTS, instancesPerHost: BIG_INSTANCES_PER_HOST, seed: 15 }).xml);
}, 240_000);

describe('one OBS instance with 19,000 worker hosts and 150,000 series', () => {
  it('is served whole beside the other collectors when its series limit allows it', async () => {
    const m = await waitFor(
      async () => {
        await pause();
        const got = await metrics(raised);
        return got.status === 200 && hostsIn(got.text) === BIG_HOSTS ? got : undefined;
      },
      `the big farm on /metrics; logs:\n${raised.logs.slice(-20).join('\n')}`,
      180_000,
    );
    // worker is collected at scrape time from the fixture host: it fails only if the scrape does.
    // (The others run real programs with short timeouts: a loaded machine times them out alone.)
    expect(successes(m.series)).toMatchObject({ obs: 1, worker: 1 });
    expect(valueOf(m.series, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' })).toBe(1);
  }, 240_000);

  it('past the default series limit fails clearly, keeps its last good data, and the others stay up', async () => {
    const m = await waitFor(
      async () => {
        await pause();
        const got = await metrics(defaults);
        return got.status === 200 && /^headroom_collector_success\{collector="obs"\} 0$/m.test(got.text) ? got : undefined;
      },
      'the OBS source to fail on its series limit',
      180_000,
    );
    expect(hostsIn(m.text)).toBe(SMALL_HOSTS); // the last good data, not the big document
    expect(successes(m.series)).toMatchObject({ obs: 0, worker: 1 });
    const status = await (await fetch(`${defaults.url}/`)).text();
    expect(status).toMatch(/series limit of 100000/);
    expect(defaults.logs.some((l) => /series limit of 100000/.test(l))).toBe(true);
  }, 240_000);
});

/** Server-side TCP sockets of `port` in /proc/net/tcp{,6}: remote port → [state, tx_queue bytes]. */
function serverSockets(port: number): Map<number, { state: number; txQueue: number }> {
  const out = new Map<number, { state: number; txQueue: number }>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5) continue;
      const local = parseInt(f[1]!.split(':')[1]!, 16);
      if (local !== port) continue;
      const remote = parseInt(f[2]!.split(':')[1]!, 16);
      out.set(remote, { state: parseInt(f[3]!, 16), txQueue: parseInt(f[4]!.split(':')[0]!, 16) });
    }
  }
  return out;
}
const TCP_ESTABLISHED = 1;

/** A Python client with a 4 KiB receive buffer that asks for /metrics and never reads: prints its port. */
function stalledClient(port: number): Promise<number> {
  const script = [
    'import socket, sys, time',
    's = socket.socket()',
    's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
    `s.connect(("127.0.0.1", ${port}))`,
    's.sendall(b"GET /metrics HTTP/1.1\\r\\nHost: headroom\\r\\n\\r\\n")',
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(3600)',
  ].join('\n');
  const child = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  clients.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`client exited with ${code}`)));
  });
}

describe('clients that never read their reply', () => {
  it('past --web.max-requests get 503 at once, and are disconnected after --web.idle-timeout', async () => {
    // The big farm's reply (~9 MB) overfills the client's 4 KiB window and the server's send buffer.
    await waitFor(async () => (hostsIn((await metrics(raised)).text) === BIG_HOSTS ? true : (await pause(), undefined)), 'the big farm', 180_000);
    const port = Number(new URL(raised.url).port);
    const stalled: number[] = [];
    for (let i = 0; i < MAX_REQUESTS; i++) stalled.push(await stalledClient(port));
    // The kernel's view: each reply is stuck in the server's send queue.
    await waitFor(
      async () => {
        const sockets = serverSockets(port);
        return stalled.every((p) => (sockets.get(p)?.txQueue ?? 0) > 0) ? true : undefined;
      },
      'both replies stuck in the send queue',
      60_000,
    );
    const crowded = await fetch(`${raised.url}/metrics`);
    expect(crowded.status).toBe(503);
    expect(await crowded.text()).toContain('--web.max-requests 2');

    await waitFor(
      async () => {
        const sockets = serverSockets(port);
        return stalled.every((p) => sockets.get(p)?.state !== TCP_ESTABLISHED) ? true : undefined;
      },
      'the stalled connections closed by the server',
      (IDLE_TIMEOUT_SECONDS + 60) * 1000,
    );
    expect((await metrics(raised)).status).toBe(200);
  }, 400_000);
});
