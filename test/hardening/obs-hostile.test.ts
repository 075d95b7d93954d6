// Hostile OBS replies that stay under max_response_size (issue 15, item 4): one element with a
// million attributes, thousands of architecture names, 16 MiB of distinct worker hosts, a
// megabyte-long name. Against a real `headroom serve`: each poll fails with a message naming the
// limit, the instance keeps its last good series, the process' peak memory (VmHWM in its
// /proc/PID/status, read by the kernel, not by headroom) stays bounded, and it recovers.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startObsSimulator, type ObsSimulator } from '../../sim/obs/server.js';
import { fixture } from '../obs/helpers.js';
import { startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { scrape, valueOf } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';

const MiB = 1024 * 1024;
/** Growth of the peak RSS allowed over the whole test; unbounded parsing took 218–752 MiB. */
const PEAK_GROWTH_LIMIT = 96 * MiB;

// workerstatus.docs-example.xml, counted by hand: i586 has 2160 jobs waiting, 7215 blocked.
const GOOD_WAITING_I586 = 2160;
const GOOD_BLOCKED_I586 = 7215;

let sim: ObsSimulator;
let exporter: ExporterProcess;

beforeAll(async () => {
  sim = await startObsSimulator({ workerStatus: fixture('workerstatus.docs-example.xml') });
  const dir = tempDir('headroom-obs-hostile-');
  const config = path.join(dir, 'headroom.yml');
  writeFileSync(
    config,
    ['collectors:', '  obs:', '    instances:', '      - name: farm', `        url: ${sim.url}`, '        schedule: 10s', '        timeout: 10s', ''].join('\n'),
  );
  exporter = await startExporterProcess(['--config', config]);
});
afterAll(async () => {
  await exporter?.stop('SIGKILL');
  await sim?.close();
});

function peakRssBytes(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

async function waitUp(up: 0 | 1, what: string) {
  return waitFor(async () => {
    const r = await scrape(`${exporter.url}/metrics`);
    return valueOf(r.series, 'headroom_collector_source_up', { collector: 'obs', source: 'farm' }) === up ? r : undefined;
  }, what, 30_000);
}

/** A document of about `bytes` bytes: `<workerstatus>`, rows from `row(i)`, the end tag. */
function padded(bytes: number, row: (i: number) => string): string {
  const parts = ['<workerstatus clients="0">\n'];
  let size = parts[0]!.length;
  for (let i = 0; size < bytes; i++) {
    const r = row(i);
    parts.push(r);
    size += r.length;
  }
  parts.push('</workerstatus>\n');
  return parts.join('');
}

const HOSTILE: ReadonlyArray<{ name: string; document: () => string; message: string }> = [
  {
    name: 'one element with a million attributes (12 MB)',
    document: () => {
      const attrs: string[] = [];
      for (let i = 0; i < 1_000_000; i++) attrs.push(`a${i}="1"`);
      return `<workerstatus clients="1">\n  <idle workerid="w:1" hostarch="x86_64" ${attrs.join(' ')}/>\n</workerstatus>\n`;
    },
    message: 'more than 64 attributes',
  },
  {
    name: '5,000 architecture names',
    document: () => `<workerstatus clients="0">\n${Array.from({ length: 5000 }, (_, i) => `  <waiting arch="arch${i}" jobs="1"/>\n`).join('')}</workerstatus>\n`,
    message: 'more than 128 distinct architectures',
  },
  {
    name: '15 MiB of distinct worker hosts',
    document: () => padded(15 * MiB, (i) => `  <idle workerid="host-${i}.example.org:1" hostarch="x86_64"/>\n`),
    message: 'more than 20000 distinct worker hosts',
  },
  {
    name: 'an architecture name of a million characters',
    document: () => `<workerstatus clients="0">\n  <waiting arch="${'x'.repeat(1_000_000)}" jobs="1"/>\n</workerstatus>\n`,
    // The scanner refuses the tag as a whole before it reaches the attribute's own 4096 limit.
    message: 'characters (refused as hostile)',
  },
];

describe('hostile OBS replies under max_response_size', () => {
  it('fail clearly, keep the last good data, bound memory and recover', async () => {
    const good = await waitUp(1, 'first good poll');
    expect(valueOf(good.series, 'headroom_obs_jobs_waiting', { obs: 'farm', arch: 'i586' })).toBe(GOOD_WAITING_I586);
    const pid = exporter.child.pid!;
    const baseline = peakRssBytes(pid);

    for (const hostile of HOSTILE) {
      const document = hostile.document();
      expect(Buffer.byteLength(document)).toBeLessThan(16 * MiB); // under the default max_response_size
      sim.setWorkerStatus(document);
      const failed = await waitUp(0, `a failed poll after ${hostile.name}`);
      // The last good series stay, and the hostile ones never appear.
      expect(valueOf(failed.series, 'headroom_obs_jobs_waiting', { obs: 'farm', arch: 'i586' })).toBe(GOOD_WAITING_I586);
      expect(valueOf(failed.series, 'headroom_obs_jobs_blocked', { obs: 'farm', arch: 'i586' })).toBe(GOOD_BLOCKED_I586);
      expect(failed.text).not.toContain('arch0');
      expect(failed.text).not.toContain('host-0.example.org');
      expect(exporter.logs.some((l) => l.includes('collection failed') && l.includes(hostile.message)), `${hostile.name}: a log line with "${hostile.message}"`).toBe(true);
      // Let a few more polls of the same document run before measuring the peak.
      const polls = sim.requests.length;
      await waitFor(() => (sim.requests.length >= polls + 3 ? true : undefined), `three more polls of ${hostile.name}`, 60_000);
      const growth = peakRssBytes(pid) - baseline;
      expect(growth, `${hostile.name}: peak RSS grew by ${(growth / MiB).toFixed(0)} MiB`).toBeLessThan(PEAK_GROWTH_LIMIT);

      sim.setWorkerStatus(fixture('workerstatus.docs-example.xml'));
      await waitUp(1, `recovery after ${hostile.name}`);
    }
    expect(exporter.child.exitCode).toBe(null);
  }, 300_000);
});
