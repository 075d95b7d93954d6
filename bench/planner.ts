// `headroom plan` on a big estate: 50 worker hosts and 10 VM hosts of 20 domains over 28 days,
// backfilled into a real Prometheus by promtool, then the built CLI run a few times; wall time
// (median) and the planner's peak RSS. Part of `npm run bench` (scenario planner), or on its own:
//
//   node dist/bench/planner.js [--hosts 50] [--days 28] [--runs 3] [--interval 120]
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startPrometheus } from '../sim/stack.js';
import { row, round, printTables, type BenchRow } from './report.js';
import { median } from './stats.js';

const HOUR = 3600;
const DAY = 86400;
const GiB = 2 ** 30;
const VM_HOSTS = 10;
const DOMAINS_PER_VM_HOST = 20;

export interface PlannerBenchOptions {
  readonly dir: string;
  readonly hosts: number;
  readonly days: number;
  readonly runs: number;
  /** Seconds between samples of the series that change (load, churn): Prometheus' scrape interval. */
  readonly interval: number;
  readonly log: (line: string) => void;
}

/** Writes the estate's history as OpenMetrics, series by series, without holding it in memory. */
async function writeEstate(file: string, o: PlannerBenchOptions, end: number): Promise<number> {
  const out = createWriteStream(file);
  let samples = 0;
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', r)));
  const start = end - o.days * DAY;
  const workers = Array.from({ length: o.hosts }, (_, i) => `w${i}:9847`);
  // Each host cycles through 0..8 building instances, hour by hour, from its own offset; churn
  // is 8 MB/s per instance above 4 (as the planner's e2e farm, so the answers are sane).
  const level = (host: number, t: number) => (Math.floor((t - start) / HOUR) + host) % 9;
  const series = async (family: string, type: 'gauge' | 'counter', names: string[], every: number, value: (i: number, t: number, dt: number) => number, extra = '') => {
    await write(`# TYPE ${family} ${type}\n`);
    const metric = type === 'counter' ? `${family}_total` : family;
    for (let i = 0; i < names.length; i++) {
      let lines = '';
      for (let t = start; t <= end; t += every) {
        lines += `${metric}{job="headroom",instance="${names[i]}"${extra}} ${value(i, t, every)} ${t}\n`;
        samples++;
        if (lines.length > 1 << 16) {
          await write(lines);
          lines = '';
        }
      }
      await write(lines);
    }
  };
  const counter = (perSecond: (i: number, t: number) => number) => {
    const totals = new Map<number, number>();
    return (i: number, t: number, dt: number) => {
      const v = totals.get(i) ?? 0;
      totals.set(i, v + perSecond(i, t) * dt);
      return v;
    };
  };
  const churn = (i: number, t: number) => 8e6 * Math.max(0, level(i, t) - 4);
  await series('headroom_tmpfs_mounts', 'gauge', workers, o.interval, (i, t) => level(i, t));
  await series('headroom_tmpfs_used_bytes', 'gauge', workers, o.interval, (i, t) => level(i, t) * 1.5 * GiB);
  await series('headroom_swap_in_bytes', 'counter', workers, o.interval, counter((i, t) => churn(i, t) / 4));
  await series('headroom_swap_out_bytes', 'counter', workers, o.interval, counter((i, t) => (churn(i, t) * 3) / 4));
  // What does not change is written every 4 minutes: inside Prometheus' 5-minute lookback.
  const slow = 240;
  await series('headroom_worker_instances', 'gauge', workers, slow, () => 8);
  await series('headroom_memory_ram_bytes', 'gauge', workers, slow, () => 64 * GiB);
  await series('headroom_memory_swap_bytes', 'gauge', workers, slow, () => 32 * GiB);
  await series('headroom_memory_overcommit_ratio', 'gauge', workers, slow, () => 0.5);
  const vmHosts = Array.from({ length: VM_HOSTS }, (_, i) => `vm${i}:9847`);
  await series('headroom_vmhost_cpus', 'gauge', vmHosts, slow, () => 32);
  await series('headroom_vmhost_memory_bytes', 'gauge', vmHosts, slow, () => 256 * GiB);
  // Domains of 4..16 GiB; the first hosts hold more than they have, so the planner has moves to find.
  const domainGiB = (h: number, d: number) => 4 * (1 + ((h * 7 + d * 3) % 4)) * (h < 3 ? 1.6 : 1);
  await series('headroom_vmhost_memory_allocated_bytes', 'gauge', vmHosts, slow, (h) => Array.from({ length: DOMAINS_PER_VM_HOST }, (_, d) => domainGiB(h, d)).reduce((a, b) => a + b, 0) * GiB);
  for (const [family, value] of [['headroom_vmhost_domain_memory_bytes', (h: number, d: number) => domainGiB(h, d) * GiB], ['headroom_vmhost_domain_vcpus', () => 2]] as const) {
    await write(`# TYPE ${family} gauge\n`);
    for (let h = 0; h < VM_HOSTS; h++) {
      for (let d = 0; d < DOMAINS_PER_VM_HOST; d++) {
        let lines = '';
        for (let t = start; t <= end; t += slow) {
          lines += `${family}{job="headroom",instance="${vmHosts[h]}",domain="d${h}-${d}"} ${value(h, d)} ${t}\n`;
          samples++;
        }
        await write(lines);
      }
    }
  }
  await write('# EOF\n');
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return samples;
}

export async function benchPlanner(o: PlannerBenchOptions): Promise<BenchRow[]> {
  const end = Math.floor(Date.now() / 60_000) * 60 - 60;
  const om = path.join(o.dir, 'estate.om');
  let t0 = Date.now();
  const samples = await writeEstate(om, o, end);
  o.log(`  wrote ${samples.toLocaleString('en')} samples in ${round((Date.now() - t0) / 1000, 1)} s`);
  t0 = Date.now();
  // Week-long blocks: promtool reads the file once per block, and holds one block in memory.
  const blocks = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=168h', om, path.join(o.dir, 'prom', 'data')], { encoding: 'utf8' });
  if (blocks.status !== 0) throw new Error(`promtool failed: ${blocks.stderr}`);
  rmSync(om);
  o.log(`  backfilled in ${round((Date.now() - t0) / 1000, 1)} s`);
  const prom = await startPrometheus(path.join(o.dir, 'prom'), 'global: { scrape_interval: 1m }\nscrape_configs: []\n', ['--storage.tsdb.retention.time=10y']);
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  // The planner's own peak RSS (VmHWM), printed by the child as it exits.
  const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n'))`;
  const times: number[] = [];
  const rss: number[] = [];
  try {
    for (let run = 0; run < o.runs; run++) {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, ['--import', hook, cli, 'plan', '--prometheus.url', prom.url, '--window', `${o.days}d`, '--end', String(end), '--out', path.join(o.dir, 'out')], { encoding: 'utf8' });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (r.status !== 0) throw new Error(`headroom plan exited ${r.status}: ${r.stderr}`);
      times.push(seconds);
      rss.push(Number(/maxrss (\d+)/.exec(r.stderr)?.[1] ?? NaN) * 1024);
      o.log(`  run ${run + 1}: ${round(seconds, 2)} s, peak RSS ${round(rss.at(-1)! / 1e6, 1)} MB; ${r.stdout.trim().split('\n').at(-1)}`);
    }
  } finally {
    await prom.stop();
  }
  const scenario = `planner, ${o.hosts} worker hosts + ${VM_HOSTS} VM hosts × ${DOMAINS_PER_VM_HOST} domains, ${o.days} days`;
  return [
    row(scenario, `headroom plan wall time (median of ${o.runs})`, 's', median(times)),
    row(scenario, 'headroom plan peak RSS (median)', 'MB', median(rss) / 1e6),
    row(scenario, `samples in Prometheus (changing series every ${o.interval} s)`, 'samples', samples),
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { hosts: { type: 'string', default: '50' }, days: { type: 'string', default: '28' }, runs: { type: 'string', default: '3' }, interval: { type: 'string', default: '120' } } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-planner-'));
  mkdirSync(dir, { recursive: true });
  try {
    const rows = await benchPlanner({ dir, hosts: Number(values.hosts), days: Number(values.days), runs: Number(values.runs), interval: Number(values.interval), log: console.log });
    printTables(rows, console.log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then(() => process.exit(0), (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  });
}
