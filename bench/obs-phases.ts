// Where one OBS worker-status collection spends its time, phase by phase, on a generated
// document held in memory (no HTTP): parse, samples, the runtime's checks, rendering.
// Run: `node dist/bench/obs-phases.js [workers]` (default 50,000); medians of 7 rounds.
import { performance } from 'node:perf_hooks';
import { inflightSamples } from '../exporters/obs/inflight.js';
import { obsMetrics } from '../exporters/obs/metrics.js';
import { workerStatusSamples } from '../exporters/obs/samples.js';
import { WorkerStatusParser } from '../exporters/obs/workerstatus.js';
import { Exposition } from '../src/exposition.js';
import { validateSamples } from '../src/runtime.js';
import { generateWorkerStatus } from '../sim/obs/generator.js';

const SLICE = 16 * 1024;
const workers = Number(process.argv[2] ?? 50_000);
const instancesPerHost = workers < 1000 ? 20 : 40;
const { xml } = generateWorkerStatus({ hosts: Math.ceil(workers / instancesPerHost), instancesPerHost, partitions: ['main', 'arm'], seed: workers });
const exposition = new Exposition(obsMetrics);
const collector = { name: 'obs', metrics: obsMetrics };

const phases: Record<string, number[]> = { parse: [], 'summary samples': [], 'in-flight samples': [], checks: [], render: [] };
let series = { summary: 0, inflight: 0, bytes: 0 };
for (let round = 0; round < 8; round++) {
  let t = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    if (round > 0) phases[name]!.push(now - t); // round 0 warms the JIT up
    t = now;
  };
  const parser = new WorkerStatusParser();
  for (let i = 0; i < xml.length; i += SLICE) parser.write(xml.slice(i, i + SLICE));
  const status = parser.end();
  lap('parse');
  const summary = workerStatusSamples('bench', status);
  lap('summary samples');
  const inflight = inflightSamples('bench', status);
  lap('in-flight samples');
  const all = [...summary, ...inflight];
  const problem = validateSamples(collector, all);
  if (problem) throw new Error(problem);
  lap('checks');
  const text = exposition.render(all);
  lap('render');
  series = { summary: summary.length, inflight: inflight.length, bytes: text.length };
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(`${workers} workers, document ${(xml.length / 1024).toFixed(0)} KiB: ${series.summary} summary series, ${series.inflight} in-flight series, exposition ${(series.bytes / 1024).toFixed(0)} KiB`);
for (const [name, times] of Object.entries(phases)) console.log(`${name.padEnd(20)} ${median(times).toFixed(1).padStart(7)} ms (median of ${times.length})`);
