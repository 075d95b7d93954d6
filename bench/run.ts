// `npm run bench`: headroom side by side with the exporters an admin would otherwise run,
// measured in the same run on the same machine. Not part of the test suite.
//
//   npm run bench                      everything (a few minutes)
//   npm run bench -- --quick           reduced counts, under a minute
//   npm run bench -- --repeat 3        every scenario 3 times: medians of the figures and of the ratios
//   npm run bench -- --json FILE       also write the rows as JSON
//   npm run bench -- --only host,load  some scenarios (host, vmhost, obs, load, modules, planner)
//   npm run bench -- --cpu-prof DIR    run every headroom under node --cpu-prof, profiles in DIR
//   npm run bench -- --node-options="--max-semi-space-size=2"   node options for every headroom
//   --smoke                            tiny counts: checks the machinery, not performance
import { serveNodeFlags } from '../src/node-flags.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setHeadroomNodeArgs } from './exporters.js';
import { judgeGoals, printGoals } from './goals.js';
import { benchHostScrape } from './host-scrape.js';
import { benchLoad } from './load.js';
import { benchModuleCost } from './module-cost.js';
import { benchObs } from './obs.js';
import { benchObsReal } from './obs-real.js';
import { benchPlanner } from './planner.js';
import { medianRows, printTables, writeJson, round, type BenchRow } from './report.js';
import { benchVmhost } from './vmhost.js';
import { pendingCleanups } from './worker-host.js';

const SCENARIOS = ['host', 'vmhost', 'obs', 'load', 'modules', 'planner'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Counts {
  hostScrapes: number;
  vmhostScrapes: number;
  warmup: number;
  loadSeconds: number;
  concurrency: number;
  /** vmhost background collections whose CPU is measured. */
  collections: number;
}

const FULL: Counts = { hostScrapes: 1000, vmhostScrapes: 500, warmup: 50, loadSeconds: 30, concurrency: 50, collections: 5 };
const QUICK: Counts = { hostScrapes: 500, vmhostScrapes: 100, warmup: 20, loadSeconds: 5, concurrency: 50, collections: 3 };
const SMOKE: Counts = { hostScrapes: 20, vmhostScrapes: 10, warmup: 2, loadSeconds: 1, concurrency: 5, collections: 1 };

function usage(message: string): never {
  console.error(`bench: ${message}\nusage: node dist/bench/run.js [--quick] [--json FILE] [--only ${SCENARIOS.join(',')}] [--cpu-prof DIR] [--node-options OPTS] [--repeat N] [--smoke]`);
  process.exit(2);
}

function parseOnly(text: string | undefined): Scenario[] {
  if (!text) return [...SCENARIOS];
  const chosen = text.split(',').map((s) => s.trim());
  for (const s of chosen) if (!(SCENARIOS as readonly string[]).includes(s)) usage(`unknown scenario ${JSON.stringify(s)} (known: ${SCENARIOS.join(', ')})`);
  return chosen as Scenario[];
}

function describeMachine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${round(os.totalmem() / 2 ** 30, 1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.versions.node}`;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        smoke: { type: 'boolean', default: false },
        json: { type: 'string' },
        only: { type: 'string' },
        'cpu-prof': { type: 'string' },
        'node-options': { type: 'string' },
        repeat: { type: 'string', default: '1' },
      },
      strict: true,
    }).values;
  } catch (err) {
    usage((err as Error).message);
  }
  const counts = args.smoke ? SMOKE : args.quick ? QUICK : FULL;
  const only = parseOnly(args.only);
  const repeat = Number(args.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) usage(`--repeat must be a whole number of at least 1, got ${JSON.stringify(args.repeat)}`);
  // Measure what production runs: the serve flags unless --node-options replaces them.
  const nodeArgs = args['node-options'] ? args['node-options'].split(/\s+/).filter(Boolean) : [...serveNodeFlags];
  const profiledArgs = [...nodeArgs];
  if (args['cpu-prof']) profiledArgs.push('--cpu-prof', '--cpu-prof-dir', path.resolve(args['cpu-prof']));
  setHeadroomNodeArgs(profiledArgs);
  const log = (line: string) => console.log(line);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-'));
  const interrupted = () => {
    for (const cleanup of [...pendingCleanups]) cleanup();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  log(`headroom benchmark (${args.smoke ? 'smoke' : args.quick ? 'quick' : 'full'}) on ${describeMachine()}`);
  const runs: BenchRow[][] = [];
  const started = Date.now();
  try {
    for (let rep = 1; rep <= repeat; rep++) {
      const rows: BenchRow[] = [];
      for (const scenario of only) {
        const t0 = Date.now();
        const sub = path.join(dir, `${scenario}-${rep}`);
        log(`\nrunning ${scenario}${repeat > 1 ? ` (run ${rep} of ${repeat})` : ''}...`);
        mkdirSync(sub);
        let got: BenchRow[];
        if (scenario === 'host') got = await benchHostScrape({ dir: sub, scrapes: counts.hostScrapes, warmup: counts.warmup, log });
        else if (scenario === 'vmhost') got = await benchVmhost({ dir: sub, scrapes: counts.vmhostScrapes, warmup: counts.warmup, collections: counts.collections });
        else if (scenario === 'obs') got = [...(await benchObs({ quick: args.quick || args.smoke })), ...(await benchObsReal({ quick: args.quick || args.smoke, log }))];
        else if (scenario === 'planner') got = await benchPlanner({ dir: sub, hosts: args.smoke ? 2 : 50, days: args.smoke ? 2 : args.quick ? 7 : 28, runs: args.smoke ? 1 : 3, interval: 120, log });
        else if (scenario === 'modules') got = await benchModuleCost({ nodeArgs, processes: args.smoke ? 1 : 3 });
        else got = (await benchLoad({ dir: sub, concurrency: counts.concurrency, seconds: counts.loadSeconds, nodeArgs, log })).rows;
        rows.push(...got);
        printTables(got, log);
        log(`(${scenario}: ${round((Date.now() - t0) / 1000, 1)} s)`);
      }
      runs.push(rows);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const rows = medianRows(runs);
  if (repeat > 1) {
    log(`\n# Medians of ${repeat} runs (ratios: median of the per-run ratios)`);
    printTables(rows, log);
  }
  printGoals(judgeGoals(rows), log);
  log(`\ntotal ${round((Date.now() - started) / 1000, 1)} s`);
  if (args.json) {
    writeJson(args.json, rows);
    log(`rows written to ${args.json}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    for (const cleanup of [...pendingCleanups]) cleanup();
    console.error(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
