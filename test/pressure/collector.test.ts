import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pressureModule } from '../../exporters/pressure/index.js';
import { defaultHostPaths } from '../../src/paths.js';
import { fixtureHost, harness, names, silentLog, valueOf } from '../procfs/harness.js';
import { tempDir } from '../support/tmp.js';

describe('pressure collector on fixture hosts', () => {
  it('turns PSI totals (µs) into seconds counters and keeps major faults beside them', async () => {
    const h = harness(pressureModule, {}, fixtureHost('psi-worker'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    // test/fixtures/hosts/psi-worker/proc/pressure/*: total= values / 1e6
    expect(valueOf(s, 'headroom_pressure_memory_waiting_seconds_total')).toBe(123456.789012);
    expect(valueOf(s, 'headroom_pressure_memory_stalled_seconds_total')).toBe(45678.901234);
    expect(valueOf(s, 'headroom_pressure_cpu_waiting_seconds_total')).toBe(987.654321);
    expect(valueOf(s, 'headroom_pressure_cpu_stalled_seconds_total')).toBe(0);
    expect(valueOf(s, 'headroom_pressure_io_waiting_seconds_total')).toBe(3);
    expect(valueOf(s, 'headroom_pressure_io_stalled_seconds_total')).toBe(1.5);
    expect(valueOf(s, 'headroom_pressure_major_page_faults_total')).toBe(456789); // pgmajfault in its vmstat
  });

  it('a kernel without PSI: the PSI series are absent, not zero, and the collector succeeds', async () => {
    const h = harness(pressureModule, {}, fixtureHost('no-swap'));
    const s = await h.refresh();
    expect(h.ok()).toBe(true);
    expect([...names(s)].filter((n) => n.startsWith('headroom_pressure_'))).toEqual(['headroom_pressure_major_page_faults_total']);
    expect(h.runtime.status()[0]!.sources[0]!.notes.join()).toMatch(/no PSI for cpu, memory, io/);
  });

  it('is not autodetected without /proc/pressure/memory', async () => {
    const log = silentLog;
    expect(await pressureModule.autodetect!({ paths: fixtureHost('no-swap'), log })).toBe(false);
    expect(await pressureModule.autodetect!({ paths: fixtureHost('psi-worker'), log })).toBe(true);
  });

  it('a garbled PSI file fails naming the file and keeps the last good data', async () => {
    const dir = tempDir();
    cpSync(path.join(fixtureHost('psi-worker').procfs, '..'), dir, { recursive: true });
    const paths = { procfs: path.join(dir, 'proc'), sysfs: path.join(dir, 'sys'), rootfs: path.join(dir, 'root') };
    const h = harness(pressureModule, {}, paths);
    await h.refresh();
    const memory = path.join(paths.procfs, 'pressure', 'memory');
    writeFileSync(memory, 'some avg10=1 total=oops\n');
    const s = await h.refresh();
    expect(h.ok()).toBe(false);
    expect(h.error()).toContain(`${memory}: unexpected line`);
    expect(valueOf(s, 'headroom_pressure_memory_stalled_seconds_total')).toBe(45678.901234);
  });
});

describe('pressure collector on this machine', () => {
  /** The kernel's own "total=" of a PSI line, in seconds. */
  function kernelTotal(resource: string, kind: 'some' | 'full'): number {
    const line = readFileSync(`/proc/pressure/${resource}`, 'utf8').split('\n').find((l) => l.startsWith(kind))!;
    return Number(/total=(\d+)/.exec(line)![1]) / 1e6;
  }

  it('reports the kernel\'s PSI totals: between a reading before and one after', async () => {
    const h = harness(pressureModule, {}, defaultHostPaths);
    for (const resource of ['cpu', 'memory', 'io']) {
      for (const [kind, suffix] of [['some', 'waiting'], ['full', 'stalled']] as const) {
        if (resource === 'cpu' && kind === 'full' && !readFileSync('/proc/pressure/cpu', 'utf8').includes('full')) continue;
        const before = kernelTotal(resource, kind);
        const value = valueOf(await h.refresh(), `headroom_pressure_${resource}_${suffix}_seconds_total`)!;
        const after = kernelTotal(resource, kind);
        expect(value).toBeGreaterThanOrEqual(before);
        expect(value).toBeLessThanOrEqual(after);
      }
    }
    expect(h.ok()).toBe(true);
  });
});
