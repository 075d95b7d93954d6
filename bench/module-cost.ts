// Scenario "modules": what each layer that `headroom serve` loads costs resident (and what
// its config validation child loads on top, which serve no longer pays). Each step is
// a fresh node process (with the serve flags) that imports everything up to that layer, runs a
// full GC and reports its memory from /proc/self/status; the rows are the medians of a few
// processes per step and the difference to the step before. No peer: this is where headroom's
// memory goes, not a comparison.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { row, type BenchRow } from './report.js';
import { median } from './stats.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const built = (file: string) => pathToFileURL(path.join(repoRoot, 'dist', file)).href;

/** Cumulative layers, in the order serve needs them; then what only the config child loads. */
export const LAYERS: ReadonlyArray<{ name: string; imports: readonly string[]; configChild?: true }> = [
  { name: 'node alone (idle)', imports: [] },
  { name: '+ node:http and node:zlib', imports: ['node:http', 'node:zlib'] },
  { name: '+ logger (src/log.ts)', imports: [built('src/log.js')] },
  { name: '+ fastify', imports: ['fastify'] },
  { name: '+ commander (CLI)', imports: ['commander'] },
  { name: '+ collectors (exporters/index.js)', imports: [built('exporters/index.js')] },
  { name: '+ serve path (runtime, server, exposition)', imports: [built('src/serve.js')] },
  // What serve no longer loads: the config validation child's (src/config/child.ts).
  { name: '+ zod and yaml (config child only)', imports: ['zod', 'yaml'], configChild: true },
  { name: '+ config loader, schemas, sections (config child only)', imports: [built('src/config/child.js')], configChild: true },
];

interface Usage {
  rss: number;
  anon: number;
  file: number;
  heapUsed: number;
}

// As `headroom serve` without the obs collector runs: the optimising compiler off before any
// module is loaded (src/early-compiler.ts).
const probe = (imports: readonly string[]) => `
(await import(${JSON.stringify(built('src/node-flags.js'))})).applyOptimizingCompiler(false);
for (const spec of ${JSON.stringify(imports)}) await import(spec);
// Let start-up work (lazy compilation, timers) settle, then measure after a full GC.
await new Promise((r) => setTimeout(r, 300));
globalThis.gc();
await new Promise((r) => setTimeout(r, 100));
const { readFileSync } = await import('node:fs');
const status = readFileSync('/proc/self/status', 'utf8');
const kB = (f) => Number(new RegExp('^' + f + ':\\\\s+(\\\\d+) kB$', 'm').exec(status)[1]) * 1024;
process.stdout.write(JSON.stringify({ rss: kB('VmRSS'), anon: kB('RssAnon'), file: kB('RssFile'), heapUsed: process.memoryUsage().heapUsed }));
`;

function measure(nodeArgs: readonly string[], imports: readonly string[]): Promise<Usage> {
  return new Promise((resolve, reject) => {
    // cwd: the repository, so that package names resolve to its node_modules.
    const child = spawn(process.execPath, [...nodeArgs, '--expose-gc', '--input-type=module', '-e', probe(imports)], { cwd: repoRoot });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`module cost probe of ${imports.join(', ') || 'node'} exited ${code}: ${err.slice(-500)}`));
      else resolve(JSON.parse(out) as Usage);
    });
  });
}

export async function benchModuleCost(opts: { nodeArgs: readonly string[]; processes: number }): Promise<BenchRow[]> {
  const scenario = `modules: resident cost of what serve loads (median of ${opts.processes} processes per layer, after a full GC)`;
  const rows: BenchRow[] = [];
  const imports: string[] = [];
  let before: Usage | null = null;
  let serveLayers: Usage | null = null;
  const MB = 1e6;
  for (const layer of LAYERS) {
    if (layer.configChild && !serveLayers) serveLayers = before;
    imports.push(...layer.imports);
    const samples: Usage[] = [];
    for (let i = 0; i < opts.processes; i++) samples.push(await measure(opts.nodeArgs, imports));
    const m = (k: keyof Usage) => median(samples.map((s) => s[k]));
    const now: Usage = { rss: m('rss'), anon: m('anon'), file: m('file'), heapUsed: m('heapUsed') };
    if (!before) {
      rows.push(row(scenario, `${layer.name}: RSS (anonymous + file-backed)`, 'MB', now.rss / MB));
      rows.push(row(scenario, `${layer.name}: of which file-backed (the node binary)`, 'MB', now.file / MB));
    } else {
      rows.push(row(scenario, `${layer.name}: RSS added`, 'MB', (now.rss - before.rss) / MB));
      rows.push(row(scenario, `${layer.name}: JS heap added`, 'MB', (now.heapUsed - before.heapUsed) / MB));
    }
    before = now;
  }
  const served = serveLayers ?? before!;
  rows.push(row(scenario, "serve's layers: RSS", 'MB', served.rss / MB));
  rows.push(row(scenario, "serve's layers: anonymous (heap, stacks, malloc)", 'MB', served.anon / MB));
  rows.push(row(scenario, "serve's layers: file-backed", 'MB', served.file / MB));
  return rows;
}
