// Two headroom builds (or one build with two flag sets) against the host-scrape fixture, scraped
// in interleaved blocks in the same run with node_exporter as the yardstick, so that a change's
// effect is not lost in the machine's weather. Not part of `npm run bench`:
//   node dist/bench/host-ab.js --a /copy/of/old/dist/src/cli.js [--b dist/src/cli.js]
//        [--a-args "--web.foo"] [--b-args ...] [--rounds 5] [--scrapes 500]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serveNodeFlags } from '../src/node-flags.js';
import { setHeadroomNodeArgs, startHeadroom, startNodeExporter, type RunningExporter } from './exporters.js';
import { compareScrapes, type ScrapeRun } from './host-scrape.js';
import { round } from './report.js';
import { median, percentile } from './stats.js';
import { buildWorkerHost, hostCollectorsYaml } from './worker-host.js';

interface Figures {
  p50: number[];
  p99: number[];
  cpu: number[];
}

function record(f: Figures, run: ScrapeRun): void {
  f.p50.push(median(run.latenciesMs));
  f.p99.push(percentile(run.latenciesMs, 99));
  f.cpu.push((run.cpuSeconds * 1000) / run.latenciesMs.length);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      a: { type: 'string' },
      b: { type: 'string', default: 'dist/src/cli.js' },
      'a-args': { type: 'string', default: '' },
      'b-args': { type: 'string', default: '' },
      rounds: { type: 'string', default: '5' },
      scrapes: { type: 'string', default: '500' },
    },
  });
  if (!values.a) throw new Error('--a <cli.js of build A> is required');
  setHeadroomNodeArgs([...serveNodeFlags]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-ab-'));
  const host = buildWorkerHost(dir);
  const names = ['A', 'B', 'node_exporter'];
  const figures: Figures[] = names.map(() => ({ p50: [], p99: [], cpu: [] }));
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  try {
    for (let r = 0; r < Number(values.rounds); r++) {
      const started: RunningExporter[] = [];
      try {
        started.push(await startHeadroom(dir, 'headroom-a', hostCollectorsYaml, host.paths, words(values['a-args']), path.resolve(values.a)));
        started.push(await startHeadroom(dir, 'headroom-b', hostCollectorsYaml, host.paths, words(values['b-args']), path.resolve(values.b)));
        started.push(await startNodeExporter(host.paths));
        // Alternate which build goes first, so neither always scrapes right after the other.
        const order = r % 2 === 0 ? [0, 1, 2] : [1, 0, 2];
        const runs = await compareScrapes(order.map((i) => started[i]!), Number(values.scrapes), 50);
        order.forEach((i, k) => record(figures[i]!, runs[k]!));
      } finally {
        for (const e of started) await e.stop();
      }
    }
  } finally {
    host.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  const ne = figures[2]!;
  console.log(`medians of ${values.rounds} rounds × ${values.scrapes} scrapes (ratio to node_exporter of the same round, median)`);
  const ratio = (mine: number[], theirs: number[]) => round(median(mine.map((v, i) => v / theirs[i]!)), 2);
  for (const [i, name] of names.entries()) {
    const f = figures[i]!;
    console.log(
      `${name.padEnd(14)} p50 ${round(median(f.p50), 2)} ms (${ratio(f.p50, ne.p50)}×)  p99 ${round(median(f.p99), 2)} ms (${ratio(f.p99, ne.p99)}×)  CPU ${round(median(f.cpu), 2)} ms/scrape (${ratio(f.cpu, ne.cpu)}×)`,
    );
  }
  console.log(`B/A: p50 ${ratio(figures[1]!.p50, figures[0]!.p50)}×  p99 ${ratio(figures[1]!.p99, figures[0]!.p99)}×  CPU ${ratio(figures[1]!.cpu, figures[0]!.cpu)}×`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
