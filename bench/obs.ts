// Benchmark of the OBS collector: fetch + parse + sample building for generated worker status
// documents of 100 to 50,000 workers, the event loop's worst stall while that runs, and the
// latency of /metrics scrapes of a running exporter while it polls.
// Run on its own: `node dist/bench/obs.js [--quick]`; `npm run bench` imports benchObs().
import { serveNodeFlags } from '../src/node-flags.js';
import { spawnHeadroom } from '../sim/headroom-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger } from '../src/log.js';
import { createObsCollector } from '../exporters/obs/collector.js';
import { obsConfigSchema } from '../exporters/obs/schema.js';
import { defaultHostPaths } from '../src/paths.js';
import { validateSamples } from '../src/runtime.js';
import { generateWorkerStatus } from '../sim/obs/generator.js';
import { startObsSimulator } from '../sim/obs/server.js';
import type { BenchRow } from './report.js';

export type { BenchRow };

const thisFile = fileURLToPath(import.meta.url);
const USER = 'bench';
const PASSWORD = 'bench-password';

/** Worker ids per host: 20 on the smallest document, 40 (a big farm's hosts) otherwise. */
function shape(workers: number): { hosts: number; instancesPerHost: number } {
  const instancesPerHost = workers < 1000 ? 20 : 40;
  return { hosts: Math.ceil(workers / instancesPerHost), instancesPerHost };
}

/**
 * The simulated OBS runs in a child process, so that serving the document does not count
 * against the event loop being measured.
 */
async function startSimulatorProcess(workers: number): Promise<{ url: string; bytes: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [thisFile, '--simulate', String(workers)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const { url, bytes } = JSON.parse(first) as { url: string; bytes: number };
  return { url, bytes, child };
}

async function simulate(workers: number): Promise<void> {
  const { xml } = generateWorkerStatus({ ...shape(workers), partitions: ['main', 'arm'], seed: workers });
  const sim = await startObsSimulator({ credentials: { username: USER, password: PASSWORD }, workerStatus: xml });
  process.stdout.write(`${JSON.stringify({ url: sim.url, bytes: Buffer.byteLength(xml) })}\n`);
  // Runs until the parent closes our stdin (or dies).
  process.stdin.resume();
  process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Collections in this process (fetch, parse, samples, the runtime's checks): median duration and the event loop's worst delay meanwhile. */
async function measureCollect(url: string, passwordFile: string, iterations: number): Promise<{ medianMs: number; peakDelayMs: number; series: number }> {
  const config = obsConfigSchema({ baseDir: process.cwd() }).parse({
    // Collected directly below, not on the schedule: an hour lets the 60s timeout fit it.
    instances: [{ name: 'bench', url, username: USER, password_file: passwordFile, schedule: '1h', timeout: '60s' }],
  });
  const collector = createObsCollector(config);
  const source = collector.sources[0]!;
  const ctx = { paths: defaultHostPaths, signal: new AbortController().signal, log: silentLogger() };
  await source.collect(ctx); // warm-up: JIT, keep-alive connection
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const times: number[] = [];
  let series = 0;
  histogram.enable();
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    const samples = await source.collect(ctx);
    // The runtime checks every refresh's samples before it keeps them: part of a collection's cost.
    const problem = validateSamples(collector, samples);
    times.push(performance.now() - start);
    if (problem) throw new Error(`invalid samples: ${problem}`);
    series = samples.length;
  }
  histogram.disable();
  await collector.close?.();
  return { medianMs: median(times), peakDelayMs: histogram.max / 1e6, series };
}

/**
 * A real `headroom serve` polling on `schedule`, scraped back to back for `seconds` once its
 * first poll is in. With `1h` it does not poll again: the latency of the same /metrics without
 * collections, to set the figures while polling against.
 */
async function measureScrapes(url: string, dir: string, passwordFile: string, seconds: number, schedule: string): Promise<{ p99Ms: number; maxMs: number; scrapes: number }> {
  const config = path.join(dir, 'headroom.yml');
  writeFileSync(
    config,
    `collectors:\n  obs:\n    instances:\n      - { name: bench, url: "${url}", username: ${USER}, password_file: "${passwordFile}", schedule: ${schedule} }\n`,
  );
  const exporter = await spawnHeadroom(['--config', config], { nodeFlags: serveNodeFlags });
  try {
    const address = exporter.url;
    const metricsUrl = `${address}/metrics`;
    // Wait for the first poll so that scrapes render the full snapshot.
    for (;;) {
      const text = await (await fetch(metricsUrl)).text();
      if (text.includes('headroom_collector_source_up{collector="obs",source="bench"} 1')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const latencies: number[] = [];
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const start = performance.now();
      await (await fetch(metricsUrl)).text();
      latencies.push(performance.now() - start);
    }
    return { p99Ms: percentile(latencies, 99), maxMs: Math.max(...latencies), scrapes: latencies.length };
  } finally {
    await exporter.stop();
  }
}

export async function benchObs(opts: { quick: boolean }): Promise<BenchRow[]> {
  const sizes = opts.quick ? [100, 1000, 10_000] : [100, 1000, 10_000, 50_000];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-obs-'));
  const passwordFile = path.join(dir, 'obs.pass');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const rows: BenchRow[] = [];
  const row = (scenario: string, measure: string, unit: string, value: number): BenchRow => ({ scenario, measure, unit, headroom: value, peer: null, peer_value: null, ratio: null });
  try {
    for (const workers of sizes) {
      const sim = await startSimulatorProcess(workers);
      try {
        const scenario = `obs worker status, ${workers.toLocaleString('en')} workers`;
        const iterations = workers >= 50_000 ? 5 : opts.quick ? 7 : 15;
        const collect = await measureCollect(sim.url, passwordFile, iterations);
        const seconds = opts.quick ? 3 : 6;
        const scrapes = await measureScrapes(sim.url, dir, passwordFile, seconds, '1s');
        const idle = await measureScrapes(sim.url, dir, passwordFile, seconds, '1h');
        const vsIdle = (measure: string, value: number, idleValue: number): BenchRow => ({
          scenario,
          measure,
          unit: 'ms',
          headroom: round(value),
          peer: 'same exporter, not polling',
          peer_value: round(idleValue),
          ratio: idleValue > 0 ? round(value / idleValue, 2) : null,
        });
        rows.push(
          row(scenario, 'document size', 'KiB', round(sim.bytes / 1024, 0)),
          row(scenario, `fetch+parse+update+checks, median of ${iterations}`, 'ms', round(collect.medianMs)),
          row(scenario, 'series per collection', 'series', collect.series),
          row(scenario, 'peak event-loop delay during collections', 'ms', round(collect.peakDelayMs)),
          vsIdle(`/metrics latency p99 while polling every 1s (${scrapes.scrapes} scrapes)`, scrapes.p99Ms, idle.p99Ms),
          vsIdle('/metrics latency max while polling every 1s', scrapes.maxMs, idle.maxMs),
        );
      } finally {
        sim.child.stdin!.end();
        sim.child.kill('SIGTERM');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function printTable(rows: BenchRow[]): void {
  const header = ['scenario', 'measure', 'headroom', 'unit', 'peer', 'peer value', 'ratio'];
  const body = rows.map((r) => [r.scenario, r.measure, String(r.headroom), r.unit, r.peer ?? '', r.peer_value === null ? '' : String(r.peer_value), r.ratio === null ? '' : String(r.ratio)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i >= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const simulateAt = process.argv.indexOf('--simulate');
  if (simulateAt >= 0) await simulate(Number(process.argv[simulateAt + 1]));
  else printTable(await benchObs({ quick: process.argv.includes('--quick') }));
}
