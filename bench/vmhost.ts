// Scenario 2: headroom's vmhost collector against prometheus-libvirt-exporter on the same
// libvirt test-driver host of 200 domains, served by one libvirtd both read. headroom refreshes
// in the background (libvirt's RPC protocol on one persistent connection) and serves the last
// snapshot; the peer connects and asks libvirt during each scrape, so its collection time is its
// scrape time.
import { defaultHostPaths } from '../src/paths.js';
import { startHeadroom, startLibvirtExporter, type RunningExporter } from './exporters.js';
import { DOMAINS, startLibvirtHost } from './libvirt-host.js';
import { clockTicks, cpuSeconds } from './process-usage.js';
import { row, type BenchRow } from './report.js';
import { plainText, sampleValue, Scraper, countSeries } from './scraper.js';
import { median, percentile } from './stats.js';

interface VmhostRun {
  latenciesMs: number[];
  series: number;
  /** headroom only: duration of each background collection seen, by its completion time. */
  collections: Map<number, number>;
  errors: number;
}

async function run(exporter: RunningExporter, scrapes: number, warmup: number, out: VmhostRun): Promise<void> {
  const scraper = new Scraper(exporter.url);
  try {
    for (let i = 0; i < warmup; i++) await scraper.scrape();
    for (let i = 0; i < scrapes; i++) {
      let r;
      try {
        r = await scraper.scrape();
      } catch {
        out.errors++;
        continue;
      }
      if (r.status !== 200) {
        out.errors++;
        continue;
      }
      out.latenciesMs.push(r.ms);
      const text = plainText(r);
      out.series = countSeries(text);
      const at = sampleValue(text, 'headroom_collector_last_success_timestamp_seconds{collector="vmhost"}');
      const took = sampleValue(text, 'headroom_collector_duration_seconds{collector="vmhost"}');
      if (at !== undefined && took !== undefined) out.collections.set(at, took * 1000);
    }
  } finally {
    scraper.close();
  }
}

const lastSuccessSeries = 'headroom_collector_last_success_timestamp_seconds{collector="vmhost"}';

/**
 * CPU of headroom (with any processes it ran and reaped: none now) per background collection:
 * measured from just after one collection completed to just after `count` more did, with
 * only a light poll of /metrics meanwhile (its few scrapes are counted against headroom).
 */
async function cpuPerCollection(exporter: RunningExporter, count: number): Promise<number> {
  await clockTicks();
  const scraper = new Scraper(exporter.url);
  const lastSuccess = async () => sampleValue(plainText(await scraper.scrape()), lastSuccessSeries);
  const nextCollection = async (after: number | undefined) => {
    for (;;) {
      const at = await lastSuccess();
      if (at !== undefined && at !== after) return at;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  try {
    let at = await nextCollection(await lastSuccess());
    const before = cpuSeconds(exporter.pid, { children: true });
    for (let i = 0; i < count; i++) at = await nextCollection(at);
    return (cpuSeconds(exporter.pid, { children: true }) - before) / count;
  } finally {
    scraper.close();
  }
}

/** CPU of an exporter that collects inside each scrape, per scrape. */
async function cpuPerScrape(exporter: RunningExporter, count: number): Promise<number> {
  await clockTicks();
  const scraper = new Scraper(exporter.url);
  try {
    const before = cpuSeconds(exporter.pid, { children: true });
    for (let i = 0; i < count; i++) await scraper.scrape();
    return (cpuSeconds(exporter.pid, { children: true }) - before) / count;
  } finally {
    scraper.close();
  }
}

export async function benchVmhost(opts: { dir: string; scrapes: number; warmup: number; collections: number }): Promise<BenchRow[]> {
  const libvirt = await startLibvirtHost(opts.dir);
  const { uri } = libvirt;
  const started: RunningExporter[] = [];
  const fresh = (): VmhostRun => ({ latenciesMs: [], series: 0, collections: new Map(), errors: 0 });
  const ours = fresh();
  const theirs = fresh();
  const cpu = { headroom: NaN, peer: NaN };
  try {
    // A short schedule so that a run of a few hundred scrapes sees several collections and
    // scrapes that overlap them; an admin would keep the default 30s.
    const headroom = await startHeadroom(opts.dir, 'headroom-vmhost', `collectors:\n  vmhost:\n    libvirt_uri: "${uri}"\n    schedule: 2s\n`, defaultHostPaths);
    started.push(headroom);
    const peer = await startLibvirtExporter(uri);
    started.push(peer);
    // Wait for headroom's first background collection: until then its series are absent.
    const scraper = new Scraper(headroom.url);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const text = plainText(await scraper.scrape());
      if (text.includes('headroom_collector_success{collector="vmhost"} 1')) break;
      if (text.includes('headroom_collector_success{collector="vmhost"} 0')) throw new Error('headroom vmhost collection failed on the test driver');
      await new Promise((r) => setTimeout(r, 50));
    }
    scraper.close();
    // Interleaved halves: the same machine weather for both.
    const half = Math.ceil(opts.scrapes / 2);
    await run(headroom, half, opts.warmup, ours);
    await run(peer, half, opts.warmup, theirs);
    await run(headroom, opts.scrapes - half, 0, ours);
    await run(peer, opts.scrapes - half, 0, theirs);
    cpu.headroom = await cpuPerCollection(headroom, opts.collections);
    cpu.peer = await cpuPerScrape(peer, opts.collections * 5);
  } finally {
    for (const e of started) await e.stop();
    await libvirt.stop();
  }
  const scenario = `vm host: libvirt test driver, ${DOMAINS} domains`;
  const peer = (value: number) => ({ name: 'prometheus-libvirt-exporter', value });
  const n = ours.latenciesMs.length;
  const collections = [...ours.collections.values()];
  return [
    row(scenario, `scrape latency p50 (${n} scrapes, gzip)`, 'ms', median(ours.latenciesMs), peer(median(theirs.latenciesMs))),
    row(scenario, `scrape latency p99 (${n} scrapes, gzip)`, 'ms', percentile(ours.latenciesMs, 99), peer(percentile(theirs.latenciesMs, 99))),
    row(
      scenario,
      `collection time, median (headroom: ${collections.length} background collections; peer: collects in the scrape, so its p50 scrape)`,
      'ms',
      median(collections),
      peer(median(theirs.latenciesMs)),
    ),
    row(
      scenario,
      `CPU per collection, child processes included (headroom: ${opts.collections} background collections; peer: per scrape)`,
      'ms',
      cpu.headroom * 1000,
      peer(cpu.peer * 1000),
    ),
    row(scenario, 'series per scrape', 'series', ours.series, peer(theirs.series)),
    row(scenario, 'failed scrapes', 'count', ours.errors, peer(theirs.errors)),
  ];
}
