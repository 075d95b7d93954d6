// Scenario 4: 50 concurrent scrapers, each on its own keep-alive connection, scraping back to
// back for a fixed time: headroom with all its host collectors, then node_exporter under the
// same load on the same fixture host. Requests served, errors, latency p99, memory growth.
// Last, the runtime's floor: a bare node:http server with serve's flags answering headroom's
// body (bench/bare-http-server.ts), what any Node exporter would cost under that load.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBareHttpServer, startHeadroom, startNodeExporter, type RunningExporter } from './exporters.js';
import { startLibvirtHost } from './libvirt-host.js';
import { rssBytes } from './process-usage.js';
import { row, type BenchRow } from './report.js';
import { Scraper } from './scraper.js';
import { percentile } from './stats.js';
import { buildWorkerHost, hostCollectorsYaml } from './worker-host.js';

export interface LoadRun {
  served: number;
  errors: number;
  p99Ms: number;
  rssBefore: number;
  rssAfter: number;
  firstError: string | null;
}

export async function loadTest(exporter: RunningExporter, concurrency: number, seconds: number): Promise<LoadRun> {
  const scraper = new Scraper(exporter.url, { connections: concurrency });
  // Warm-up on every connection, so RSS growth is that of the load, not of startup.
  await Promise.all(Array.from({ length: concurrency }, () => scraper.scrape()));
  const rssBefore = rssBytes(exporter.pid);
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const end = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      try {
        const r = await scraper.scrape();
        if (r.status === 200) latencies.push(r.ms);
        else {
          errors++;
          firstError ??= `HTTP ${r.status}`;
        }
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, client));
  } finally {
    scraper.close();
  }
  return { served: latencies.length, errors, p99Ms: percentile(latencies, 99), rssBefore, rssAfter: rssBytes(exporter.pid), firstError };
}

/**
 * Both exporters refuse scrapes past 40 in flight by default (503); the load scenario measures
 * serving 50 concurrent scrapers, not refusing them, so the limit is lifted on both.
 */
const NO_REQUEST_LIMIT = ['--web.max-requests=0'];

export async function benchLoad(opts: { dir: string; concurrency: number; seconds: number; nodeArgs: readonly string[]; log: (line: string) => void }): Promise<{ rows: BenchRow[]; headroom: LoadRun }> {
  const host = buildWorkerHost(opts.dir);
  const libvirt = await startLibvirtHost(opts.dir);
  const yaml = `${hostCollectorsYaml}  vmhost:\n    libvirt_uri: "${libvirt.uri}"\n`;
  let ours: LoadRun;
  let theirs: LoadRun;
  let floor: LoadRun;
  const started: RunningExporter[] = [];
  try {
    const headroom = await startHeadroom(opts.dir, 'headroom-load', yaml, host.paths, NO_REQUEST_LIMIT);
    started.push(headroom);
    ours = await loadTest(headroom, opts.concurrency, opts.seconds);
    // headroom's own body, for the floor below.
    const bodyFile = path.join(opts.dir, 'load-body.txt');
    writeFileSync(bodyFile, await (await fetch(headroom.url)).text());
    await headroom.stop();
    const peer = await startNodeExporter(host.paths, NO_REQUEST_LIMIT);
    started.push(peer);
    theirs = await loadTest(peer, opts.concurrency, opts.seconds);
    await peer.stop();
    const bare = await startBareHttpServer(bodyFile, opts.nodeArgs);
    started.push(bare);
    floor = await loadTest(bare, opts.concurrency, opts.seconds);
  } finally {
    for (const e of started) await e.stop();
    await libvirt.stop();
    host.cleanup();
  }
  if (ours.firstError) opts.log(`  headroom: first error under load: ${ours.firstError}`);
  if (theirs.firstError) opts.log(`  node_exporter: first error under load: ${theirs.firstError}`);
  if (floor.firstError) opts.log(`  node:http floor: first error under load: ${floor.firstError}`);
  const scenario = `load: ${opts.concurrency} concurrent scrapers for ${opts.seconds} s (headroom: worker, swap, vmhost)`;
  const peer = (value: number) => ({ name: 'node_exporter', value });
  const MB = 1e6;
  return {
    headroom: ours,
    rows: [
      row(scenario, 'requests served', 'count', ours.served, peer(theirs.served)),
      row(scenario, 'requests per second', 'req/s', ours.served / opts.seconds, peer(theirs.served / opts.seconds)),
      row(scenario, 'errors', 'count', ours.errors, peer(theirs.errors)),
      row(scenario, 'latency p99', 'ms', ours.p99Ms, peer(theirs.p99Ms)),
      row(scenario, 'RSS before the load', 'MB', ours.rssBefore / MB, peer(theirs.rssBefore / MB)),
      row(scenario, 'RSS after the load', 'MB', ours.rssAfter / MB, peer(theirs.rssAfter / MB)),
      row(scenario, 'RSS growth', 'MB', (ours.rssAfter - ours.rssBefore) / MB, peer((theirs.rssAfter - theirs.rssBefore) / MB)),
      // Not headroom: the same body from a bare node:http server, under the same load.
      row(scenario, 'node:http floor (same body, nothing of headroom): requests served', 'count', floor.served),
      row(scenario, 'node:http floor: RSS before the load', 'MB', floor.rssBefore / MB),
      row(scenario, 'node:http floor: RSS after the load', 'MB', floor.rssAfter / MB),
    ],
  };
}
