// CPU of the parts of one host scrape, measured in this process against the host-scrape fixture
// (48 real tmpfs build roots when root): each part before and after the changes that made the
// host scrape cheaper, as microseconds of CPU per scrape (median of batches). Not part of
// `npm run bench`: `node dist/bench/scrape-parts.js`.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import picomatch from 'picomatch';
import { createLogger } from '../src/log.js';
import { serveNodeFlags } from '../src/node-flags.js';
import { selfSamples } from '../src/self-metrics.js';
import { setHeadroomNodeArgs, startHeadroom } from './exporters.js';
import { round } from './report.js';
import { median } from './stats.js';
import { buildWorkerHost, BUILD_ROOTS, hostCollectorsYaml } from './worker-host.js';

const BATCHES = 7;

/** CPU microseconds (user+system) per call of `fn`, median of BATCHES batches of `n` calls. */
async function cpuPerCall(n: number, fn: () => unknown): Promise<number> {
  const per: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) await fn();
    const used = process.cpuUsage(start);
    per.push((used.user + used.system) / n);
  }
  return median(per);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-parts-'));
  const host = buildWorkerHost(dir);
  const roots = Array.from({ length: BUILD_ROOTS }, (_, i) => path.join(host.paths.rootfs, `/var/cache/obs/worker/root_${i + 1}`));
  // The real /metrics body of the host scrape: headroom's own reply on this fixture.
  setHeadroomNodeArgs([...serveNodeFlags]);
  const exporter = await startHeadroom(dir, 'headroom-parts', hostCollectorsYaml, host.paths);
  const body = await (await fetch(exporter.url)).text();
  await exporter.stop();
  const log = createLogger('warn', () => {});
  const rows: [string, number, number][] = [];
  try {
    rows.push([
      `statfs of ${BUILD_ROOTS} build roots: promise (thread pool) → sync`,
      await cpuPerCall(50, () => Promise.all(roots.map((r) => statfs(r)))),
      await cpuPerCall(50, () => roots.map((r) => statfsSync(r))),
    ]);
    console.log(`gzip bytes of the /metrics body: level 6 ${gzipSync(body).length}, level 1 ${gzipSync(body, { level: 1 }).length}`);
    rows.push([`gzip of the ${body.length}-byte body: level 6 → level 1`, await cpuPerCall(200, () => gzipSync(body)), await cpuPerCall(200, () => gzipSync(body, { level: 1 }))]);
    const match = picomatch(['/var/cache/obs/worker/root_*'], { dot: true, posix: true });
    rows.push([
      'mount point glob: compile + 53 matches → 53 matches',
      await cpuPerCall(200, () => {
        const m = picomatch(['/var/cache/obs/worker/root_*'], { dot: true, posix: true });
        for (let i = 0; i < 53; i++) m(`/var/cache/obs/worker/root_${i}`);
      }),
      await cpuPerCall(200, () => {
        for (let i = 0; i < 53; i++) match(`/var/cache/obs/worker/root_${i}`);
      }),
    ]);
    rows.push(['logger child per source (3 sources) → made once', await cpuPerCall(500, () => [1, 2, 3].map((i) => log.child({ collector: 'c', source: `s${i}` }))), 0]);
    const self = await cpuPerCall(500, () => selfSamples());
    rows.push(['self metrics (process CPU, RSS, heap, fds)', self, self]);
  } finally {
    host.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`CPU µs per scrape, median of ${BATCHES} batches${host.mounted ? '' : ' (not root: build roots are plain directories)'}`);
  for (const [what, before, after] of rows) console.log(`${what.padEnd(62)} ${String(round(before, 1)).padStart(8)} → ${String(round(after, 1)).padStart(8)}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
