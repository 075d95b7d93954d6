// Scenario 1: headroom's host collectors against node_exporter (meminfo, vmstat, filesystem)
// on the same large worker host, scraped as Prometheus scrapes (gzip, keep-alive), in
// interleaved blocks so that both see the same machine weather.
import type { RunningExporter } from './exporters.js';
import { startHeadroom, startNodeExporter } from './exporters.js';
import { clockTicks, cpuSeconds, residentMemory, rssBytes, type ResidentMemory } from './process-usage.js';
import { row, type BenchRow } from './report.js';
import { countSeries, plainText, Scraper } from './scraper.js';
import { median, percentile } from './stats.js';
import { BUILD_ROOTS, buildWorkerHost, hostCollectorsYaml } from './worker-host.js';

export interface ScrapeRun {
  latenciesMs: number[];
  cpuSeconds: number;
  rssAfterWarmup: number;
  memoryAfterWarmup: ResidentMemory;
  rssAfterRun: number;
  gzipBytes: number;
  plainBytes: number;
  series: number;
  errors: number;
}

interface Contender {
  exporter: RunningExporter;
  scraper: Scraper;
  run: ScrapeRun;
}

async function scrapeBlock(c: Contender, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    try {
      const r = await c.scraper.scrape();
      if (r.status !== 200) c.run.errors++;
      else c.run.latenciesMs.push(r.ms);
    } catch {
      c.run.errors++;
    }
  }
}

/**
 * Warms both up, then scrapes them alternately in blocks until each had `scrapes` scrapes.
 * CPU is counted over the measured scrapes only, from /proc/<pid>/stat.
 */
export async function compareScrapes(exporters: readonly RunningExporter[], scrapes: number, warmup: number): Promise<ScrapeRun[]> {
  await clockTicks();
  const contenders: Contender[] = exporters.map((exporter) => ({
    exporter,
    scraper: new Scraper(exporter.url),
    run: { latenciesMs: [], cpuSeconds: 0, rssAfterWarmup: 0, memoryAfterWarmup: { rss: 0, anon: 0, file: 0 }, rssAfterRun: 0, gzipBytes: 0, plainBytes: 0, series: 0, errors: 0 },
  }));
  try {
    for (const c of contenders) {
      for (let i = 0; i < warmup; i++) await c.scraper.scrape();
      const last = await c.scraper.scrape();
      const text = plainText(last);
      c.run.gzipBytes = last.wireBytes;
      c.run.plainBytes = Buffer.byteLength(text);
      c.run.series = countSeries(text);
      c.run.memoryAfterWarmup = residentMemory(c.exporter.pid);
      c.run.rssAfterWarmup = c.run.memoryAfterWarmup.rss;
    }
    const block = Math.max(1, Math.min(50, Math.ceil(scrapes / 10)));
    const cpuStart = contenders.map((c) => cpuSeconds(c.exporter.pid));
    for (let done = 0; done < scrapes; done += block) {
      for (const c of contenders) await scrapeBlock(c, Math.min(block, scrapes - done));
    }
    contenders.forEach((c, i) => {
      c.run.cpuSeconds = cpuSeconds(c.exporter.pid) - cpuStart[i]!;
      c.run.rssAfterRun = rssBytes(c.exporter.pid);
    });
    return contenders.map((c) => c.run);
  } finally {
    for (const c of contenders) c.scraper.close();
  }
}

const MB = 1e6;

/** The rows comparing two scrape runs: latency, CPU, memory, size. */
export function scrapeRows(scenario: string, ours: ScrapeRun, peerName: string, theirs: ScrapeRun): BenchRow[] {
  const peer = (value: number) => ({ name: peerName, value });
  const n = ours.latenciesMs.length;
  return [
    row(scenario, `scrape latency p50 (${n} scrapes, gzip)`, 'ms', median(ours.latenciesMs), peer(median(theirs.latenciesMs))),
    row(scenario, `scrape latency p99 (${n} scrapes, gzip)`, 'ms', percentile(ours.latenciesMs, 99), peer(percentile(theirs.latenciesMs, 99))),
    row(scenario, 'CPU time per scrape (utime+stime)', 'ms', (ours.cpuSeconds * 1000) / n, peer((theirs.cpuSeconds * 1000) / theirs.latenciesMs.length)),
    row(scenario, 'RSS after warm-up', 'MB', ours.rssAfterWarmup / MB, peer(theirs.rssAfterWarmup / MB)),
    row(scenario, 'RSS after warm-up: anonymous (heap, stacks, malloc)', 'MB', ours.memoryAfterWarmup.anon / MB, peer(theirs.memoryAfterWarmup.anon / MB)),
    row(scenario, 'RSS after warm-up: file-backed (binary, libraries)', 'MB', ours.memoryAfterWarmup.file / MB, peer(theirs.memoryAfterWarmup.file / MB)),
    row(scenario, 'RSS after the run', 'MB', ours.rssAfterRun / MB, peer(theirs.rssAfterRun / MB)),
    row(scenario, 'bytes per scrape, gzip', 'bytes', ours.gzipBytes, peer(theirs.gzipBytes)),
    row(scenario, 'bytes per scrape, plain', 'bytes', ours.plainBytes, peer(theirs.plainBytes)),
    row(scenario, 'series per scrape', 'series', ours.series, peer(theirs.series)),
    row(scenario, 'failed scrapes', 'count', ours.errors, peer(theirs.errors)),
  ];
}

export async function benchHostScrape(opts: { dir: string; scrapes: number; warmup: number; log: (line: string) => void }): Promise<BenchRow[]> {
  const host = buildWorkerHost(opts.dir);
  if (!host.mounted) opts.log(`  not root: the ${BUILD_ROOTS} build roots are plain directories, not tmpfs mounts (statfs sees the parent filesystem)`);
  const started: RunningExporter[] = [];
  try {
    started.push(await startHeadroom(opts.dir, 'headroom-host', hostCollectorsYaml, host.paths));
    started.push(await startNodeExporter(host.paths));
    const [ours, theirs] = await compareScrapes(started, opts.scrapes, opts.warmup);
    const scenario = `host scrape: worker host, ${BUILD_ROOTS} tmpfs build roots, 2 swap devices`;
    return scrapeRows(scenario, ours!, 'node_exporter', theirs!);
  } finally {
    for (const e of started) await e.stop();
    host.cleanup();
  }
}
