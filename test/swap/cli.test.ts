// The built CLI on a fixture host: worker and swap side by side, scraped over HTTP and linted
// by promtool.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startExporterProcess } from '../support/exporter.js';
import { scrape, valueOf } from '../support/metrics-text.js';
import { promtoolCheckMetrics } from '../support/programs.js';
import { fixtureHost, GiB } from '../procfs/harness.js';
import { tempDir } from '../support/tmp.js';

describe('headroom serve with worker and swap on a fixture host', () => {
  it('exposes the contract metrics, valid for promtool', async () => {
    const host = fixtureHost('obs-worker-64g');
    const config = path.join(tempDir(), 'headroom.yml');
    writeFileSync(config, 'collectors:\n  worker:\n  swap:\n    smartctl: false\n    endurance: { /dev/nvme0n1: 600TB }\n');
    const exporter = await startExporterProcess([
      '--config', config,
      '--path.procfs', host.procfs,
      '--path.sysfs', host.sysfs,
      '--path.rootfs', host.rootfs,
    ]);
    const { text, series } = await scrape(`${exporter.url}/metrics`);
    expect(valueOf(series, 'headroom_collector_success', { collector: 'worker' })).toBe(1);
    expect(valueOf(series, 'headroom_collector_success', { collector: 'swap' })).toBe(1);
    expect(valueOf(series, 'headroom_tmpfs_promised_bytes')).toBe(16 * 8 * GiB);
    expect(valueOf(series, 'headroom_vm_memory_promised_bytes')).toBe(16 * 6 * GiB);
    expect(valueOf(series, 'headroom_swap_device_rotational', { device: '/dev/nvme0n1p2' })).toBe(0);
    expect(valueOf(series, 'headroom_ssd_endurance_bytes', { device: 'nvme0n1' })).toBe(600e12);
    expect(text).toMatch(/# TYPE headroom_swap_out_bytes_total counter/);
    const lint = promtoolCheckMetrics(text);
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
