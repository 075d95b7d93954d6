// Smoke test of the benchmark runner: with tiny counts (--smoke) it runs the scenarios against
// the real peers and writes well-formed rows. No timing is asserted: performance figures
// belong to `npm run bench`, not to the test suite.
import type { BenchRow } from '../../bench/report.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';

const onPath = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const peersInstalled = onPath('prometheus-node-exporter') && onPath('prometheus-libvirt-exporter') && onPath('/usr/sbin/libvirtd');
const isRoot = process.getuid?.() === 0;

type Row = BenchRow;

describe.skipIf(!peersInstalled)('npm run bench (smoke counts)', () => {
  const dir = tempDir('headroom-bench-test-');

  it('writes one well-formed row per measure for the host, vmhost and load scenarios', () => {
    const json = path.join(dir, 'rows.json');
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'dist/bench/run.js'), '--smoke', '--only', 'host,vmhost,load', '--json', json], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const rows = JSON.parse(readFileSync(json, 'utf8')) as Row[];

    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['headroom', 'measure', 'peer', 'peer_value', 'ratio', 'scenario', 'unit']);
      expect(typeof r.scenario).toBe('string');
      expect(typeof r.measure).toBe('string');
      expect(typeof r.unit).toBe('string');
      expect(Number.isFinite(r.headroom)).toBe(true);
      if (r.peer === null) {
        expect(r.peer_value).toBeNull();
        expect(r.ratio).toBeNull();
      } else {
        expect(Number.isFinite(r.peer_value)).toBe(true);
        // The ratio is ours over theirs; both figures are rounded to 3 significant digits.
        if (r.peer_value !== 0) expect(r.ratio!).toBeCloseTo(r.headroom / r.peer_value!, 1);
      }
    }

    const host = rows.filter((r) => r.scenario.startsWith('host scrape'));
    const vmhost = rows.filter((r) => r.scenario.startsWith('vm host'));
    const load = rows.filter((r) => r.scenario.startsWith('load'));
    expect(host.every((r) => r.peer === 'node_exporter')).toBe(true);
    expect(vmhost.every((r) => r.peer === 'prometheus-libvirt-exporter')).toBe(true);
    // The node:http floor's rows have no peer: it is a reference, not a contender.
    const floor = load.filter((r) => r.measure.startsWith('node:http floor'));
    expect(floor.map((r) => r.measure)).toHaveLength(3);
    expect(floor.every((r) => r.peer === null || r.peer === undefined)).toBe(true);
    expect(load.filter((r) => !floor.includes(r)).every((r) => r.peer === 'node_exporter')).toBe(true);
    const measure = (rs: Row[], m: string) => rs.find((r) => r.measure === m || r.measure.startsWith(m));
    for (const m of ['scrape latency p50', 'scrape latency p99', 'CPU time per scrape', 'RSS after warm-up', 'RSS after the run', 'bytes per scrape, gzip', 'bytes per scrape, plain', 'series per scrape']) {
      expect(measure(host, m), m).toBeDefined();
    }
    expect(measure(host, 'scrape latency p50')!.measure).toContain('20 scrapes');
    expect(measure(host, 'failed scrapes')).toMatchObject({ headroom: 0, peer_value: 0 });
    expect(measure(vmhost, 'failed scrapes')).toMatchObject({ headroom: 0, peer_value: 0 });
    expect(measure(load, 'errors')!.headroom).toBe(0);
    expect(measure(load, 'node:http floor (same body')!.headroom).toBeGreaterThan(0);

    // node_exporter's series on the fixture host, counted from how the host was built:
    // 7 filesystem series (size, free, avail, files, files_free, readonly, device_error) for
    // each of / and the 48 build roots (/run is dropped by node_exporter 1.5's default
    // --collector.filesystem.mount-points-exclude), one per line of this machine's /proc/meminfo
    // (copied into the fixture), 7 vmstat fields (oom_kill pgpgin pgpgout pswpin pswpout
    // pgfault pgmajfault), 3 collectors × (duration, success), build_info and 2 promhttp
    // handler error series.
    const meminfoLines = readFileSync('/proc/meminfo', 'utf8').trim().split('\n').length;
    const vmstatFields = readFileSync('/proc/vmstat', 'utf8')
      .split('\n')
      .filter((l) => /^(oom_kill|pgpg|pswp|pg.*fault)/.test(l)).length;
    if (isRoot) expect(measure(host, 'series per scrape')!.peer_value).toBe(7 * (1 + 48) + meminfoLines + vmstatFields + 3 * 2 + 1 + 2);
  }, 180_000);
});
