import { chmodSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { swapModule } from '../../exporters/swap/index.js';
import { fixtureHost, GiB, harness, hostsDir, KiB, names, valueOf } from '../procfs/harness.js';
import { tempDir } from '../support/tmp.js';
import type { Sample } from '../../src/metrics.js';

const PAGE = 4096; // x86_64, where these tests run (getconf PAGESIZE)
const noSmart = { smartctl: false };

describe('swap collector on fixture hosts', () => {
  it('(a) swap partition on an NVMe SSD', async () => {
    const h = harness(swapModule, noSmart, fixtureHost('obs-worker-64g'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_swap_in_bytes_total')).toBe(1234567 * PAGE);
    expect(valueOf(s, 'headroom_swap_out_bytes_total')).toBe(7654321 * PAGE);
    const device = { device: '/dev/nvme0n1p2' };
    expect(valueOf(s, 'headroom_swap_device_size_bytes', device)).toBe(96 * GiB - 4 * KiB);
    expect(valueOf(s, 'headroom_swap_device_used_bytes', device)).toBe(12 * GiB);
    expect(valueOf(s, 'headroom_swap_device_priority', device)).toBe(-2);
    expect(valueOf(s, 'headroom_swap_device_rotational', device)).toBe(0);
    // the partition's own writes, not the whole disk's (3000000000 sectors)
    expect(valueOf(s, 'headroom_swap_device_written_bytes_total', device)).toBe(2000000000 * 512);
    expect(valueOf(s, 'headroom_swap_device_info', { ...device, type: 'partition', block_device: 'nvme0n1p2', disk: 'nvme0n1' })).toBe(1);
  });

  it('(b) swap on a spinning disk', async () => {
    const h = harness(swapModule, noSmart, fixtureHost('obs-worker-hugepages'));
    const s = await h.refresh();
    expect(valueOf(s, 'headroom_swap_device_rotational', { device: '/dev/sda2' })).toBe(1);
    expect(valueOf(s, 'headroom_swap_device_written_bytes_total', { device: '/dev/sda2' })).toBe(2000 * 512); // 14-field kernel
  });

  it('(c) a host without swap: churn counters, no devices', async () => {
    const h = harness(swapModule, noSmart, fixtureHost('no-swap'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_swap_in_bytes_total')).toBe(0);
    expect(valueOf(s, 'headroom_swap_out_bytes_total')).toBe(0);
    expect(s.filter((x) => x.metric.name.startsWith('headroom_swap_device_'))).toEqual([]);
  });

  it('(d) a swap file on an ext4 SSD is attributed to the filesystem\'s device', async () => {
    const h = harness(swapModule, noSmart, fixtureHost('swapfile-ext4'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    const device = { device: '/swapfile' };
    expect(valueOf(s, 'headroom_swap_device_size_bytes', device)).toBe(8 * GiB - 4 * KiB);
    expect(valueOf(s, 'headroom_swap_device_used_bytes', device)).toBe(1 * GiB);
    expect(valueOf(s, 'headroom_swap_device_rotational', device)).toBe(0);
    expect(valueOf(s, 'headroom_swap_device_written_bytes_total', device)).toBe(80000000 * 512); // sda1 = 8:1, holding /
    expect(valueOf(s, 'headroom_swap_device_info', { ...device, type: 'file', block_device: 'sda1', disk: 'sda' })).toBe(1);
    expect(valueOf(s, 'headroom_swap_out_bytes_total')).toBe(250000 * PAGE);
  });

  it('reports configured endurance by kernel disk name', async () => {
    const h = harness(swapModule, { ...noSmart, endurance: { '/dev/nvme0n1': '600TB', sdb: '1.5PB' } }, fixtureHost('obs-worker-64g'));
    const s = await h.refresh();
    expect(valueOf(s, 'headroom_ssd_endurance_bytes', { device: 'nvme0n1' })).toBe(600e12);
    expect(valueOf(s, 'headroom_ssd_endurance_bytes', { device: 'sdb' })).toBe(1.5e15);
  });
});

describe('swap collector on broken hosts', () => {
  function copyOf(name: string) {
    const dir = tempDir();
    cpSync(path.join(fixtureHost(name).procfs, '..'), dir, { recursive: true });
    return { procfs: path.join(dir, 'proc'), sysfs: path.join(dir, 'sys'), rootfs: path.join(dir, 'root') };
  }

  it('fails naming /proc/swaps when it is missing or garbled, keeping the last good data', async () => {
    const paths = copyOf('obs-worker-64g');
    const h = harness(swapModule, noSmart, paths);
    await h.refresh();
    expect(h.ok()).toBe(true);
    writeFileSync(path.join(paths.procfs, 'swaps'), 'Filename Type Size Used Priority\n/dev/x partition many 0 0\n');
    let s = await h.refresh();
    expect(h.error()).toContain(`${path.join(paths.procfs, 'swaps')}: unexpected line`);
    expect(valueOf(s, 'headroom_swap_device_used_bytes', { device: '/dev/nvme0n1p2' })).toBe(12 * GiB);
    rmSync(path.join(paths.procfs, 'swaps'));
    s = await h.refresh();
    expect(h.error()).toContain(path.join(paths.procfs, 'swaps'));
  });

  it('follows a swap device name to another device between scrapes, and reads the rotational flag every time', async () => {
    // /dev/mapper/swap → dm-1 (an LV on the NVMe); re-created, it leads to dm-2 on a spinning disk.
    const paths = copyOf('obs-worker-64g');
    const dev = (...p: string[]) => path.join(paths.rootfs, 'dev', ...p);
    mkdirSync(dev('mapper'), { recursive: true });
    for (const [dm, disk, rotational] of [['dm-1', 'nvme0n1', '0'], ['dm-2', 'sdb', '1']] as const) {
      writeFileSync(dev(dm), '');
      mkdirSync(path.join(paths.sysfs, 'block', disk, dm), { recursive: true });
      writeFileSync(path.join(paths.sysfs, 'block', disk, dm, 'partition'), '1\n');
      mkdirSync(path.join(paths.sysfs, 'block', disk, 'queue'), { recursive: true });
      writeFileSync(path.join(paths.sysfs, 'block', disk, 'queue', 'rotational'), `${rotational}\n`);
    }
    symlinkSync('../dm-1', dev('mapper', 'swap'));
    writeFileSync(path.join(paths.procfs, 'swaps'), 'Filename\tType\tSize\tUsed\tPriority\n/dev/mapper/swap partition\t8388604\t0\t-2\n');
    writeFileSync(
      path.join(paths.procfs, 'diskstats'),
      ' 253 1 dm-1 1 0 1 0 1 0 1000 0 0 0 0\n 253 2 dm-2 1 0 1 0 1 0 2000 0 0 0 0\n   8 16 sdb 1 0 1 0 1 0 5 0 0 0 0\n',
    );
    const h = harness(swapModule, noSmart, paths);
    const device = { device: '/dev/mapper/swap' };
    const info = (s: Sample[]) => s.find((x) => x.metric.name === 'headroom_swap_device_info')?.labels;
    let s = await h.refresh();
    expect(info(s)).toEqual({ ...device, type: 'partition', block_device: 'dm-1', disk: 'nvme0n1' });
    expect(valueOf(s, 'headroom_swap_device_written_bytes_total', device)).toBe(1000 * 512);
    // While the name leads to the same node, the placement is kept: sysfs is not asked again...
    rmSync(path.join(paths.sysfs, 'block', 'nvme0n1', 'dm-1'), { recursive: true });
    s = await h.refresh();
    expect(info(s)).toEqual({ ...device, type: 'partition', block_device: 'dm-1', disk: 'nvme0n1' });
    // ...but the rotational flag is, since an admin may set it.
    writeFileSync(path.join(paths.sysfs, 'block', 'nvme0n1', 'queue', 'rotational'), '1\n');
    expect(valueOf(await h.refresh(), 'headroom_swap_device_rotational', device)).toBe(1);
    // The LV re-created: the name leads elsewhere, and everything is looked up again.
    rmSync(dev('mapper', 'swap'));
    symlinkSync('../dm-2', dev('mapper', 'swap'));
    s = await h.refresh();
    expect(info(s)).toEqual({ ...device, type: 'partition', block_device: 'dm-2', disk: 'sdb' });
    expect(valueOf(s, 'headroom_swap_device_written_bytes_total', device)).toBe(2000 * 512);
    expect(valueOf(s, 'headroom_swap_device_rotational', device)).toBe(1);
    expect(h.error()).toBeNull();
  });

  it('reports the swap area without block details when sysfs and diskstats do not know it', async () => {
    const paths = copyOf('obs-worker-64g');
    rmSync(paths.sysfs, { recursive: true });
    writeFileSync(path.join(paths.procfs, 'diskstats'), '   7 0 loop0 1 2 3 4 5 6 7 8 9 10 11\n');
    const h = harness(swapModule, noSmart, paths);
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_swap_device_size_bytes', { device: '/dev/nvme0n1p2' })).toBe(96 * GiB - 4 * KiB);
    for (const absent of ['headroom_swap_device_rotational', 'headroom_swap_device_written_bytes_total', 'headroom_swap_device_info']) {
      expect(names(s).has(absent)).toBe(false);
    }
  });
});

/** A stand-in smartctl that prints the fixture for the device it is asked about. */
function fakeSmartctl(dir: string, map: Record<string, string>): string {
  const script = path.join(dir, 'smartctl');
  const cases = Object.entries(map)
    .map(([dev, file]) => `  ${dev}) f="${path.join(hostsDir, 'smartctl', file)}" ;;`)
    .join('\n');
  writeFileSync(
    script,
    `#!/bin/sh
for a; do dev="$a"; done
echo "$*" >> "${path.join(dir, 'calls.log')}"
case "$dev" in
${cases}
  *) echo '{"smartctl":{"exit_status":2,"messages":[{"string":"Smartctl open device: '"$dev"' failed: No such device","severity":"error"}]}}'; exit 2 ;;
esac
cat "$f"
exec sed -n 's/.*"exit_status": *\\([0-9]*\\).*/\\1/p' "$f" | { read s; exit "\${s:-0}"; }
`,
  );
  chmodSync(script, 0o755);
  return script;
}

describe('swap collector: SMART wear from smartctl', () => {
  it('reads the NVMe under swap and a configured SATA SSD, and keeps a sleeping disk asleep', async () => {
    const dir = tempDir();
    const script = fakeSmartctl(dir, { '/dev/nvme0n1': 'nvme0n1.json', '/dev/sdb': 'sdb.json' });
    const h = harness(swapModule, { smartctl_command: script, endurance: { '/dev/sdb': '600TB' } }, fixtureHost('obs-worker-64g'));
    const before = Date.now() / 1000;
    let s = await h.refresh();
    expect(h.error('smartctl')).toBeNull();
    expect(valueOf(s, 'headroom_ssd_wear_used_ratio', { device: 'nvme0n1' })).toBe(0.07);
    expect(valueOf(s, 'headroom_ssd_written_bytes_total', { device: 'nvme0n1' })).toBe(123456789 * 512000);
    expect(valueOf(s, 'headroom_ssd_wear_used_ratio', { device: 'sdb' })).toBe(0.12);
    expect(valueOf(s, 'headroom_ssd_written_bytes_total', { device: 'sdb' })).toBe(98765432100 * 512);
    const readAt = valueOf(s, 'headroom_ssd_smart_read_timestamp_seconds', { device: 'sdb' })!;
    expect(readAt).toBeGreaterThanOrEqual(Math.floor(before));

    // sdb falls asleep: it is not woken, and its last reading stays.
    fakeSmartctl(dir, { '/dev/nvme0n1': 'nvme0n1.json', '/dev/sdb': 'standby.json' });
    s = await h.refresh();
    expect(h.error('smartctl')).toBeNull();
    expect(valueOf(s, 'headroom_ssd_wear_used_ratio', { device: 'sdb' })).toBe(0.12);
    expect(valueOf(s, 'headroom_ssd_smart_read_timestamp_seconds', { device: 'sdb' })).toBe(readAt);
    const { readFileSync } = await import('node:fs');
    const calls = readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n');
    expect(calls.every((c) => c.includes('--nocheck=standby') && c.includes('--json'))).toBe(true);
  });

  it('a device smartctl cannot open fails the smartctl source, naming the device', async () => {
    const dir = tempDir();
    const script = fakeSmartctl(dir, { '/dev/nvme0n1': 'nvme0n1.json' });
    const h = harness(swapModule, { smartctl_command: script, endurance: { sdz: '1TB' } }, fixtureHost('obs-worker-64g'));
    await h.refresh();
    expect(h.error('swap')).toBeNull();
    expect(h.error('smartctl')).toMatch(/\/dev\/sdz.*No such device/);
    expect(h.ok()).toBe(false);
  });

  it('smartctl not installed: silent with auto, an error when required', async () => {
    const missing = path.join(tempDir(), 'no-such-smartctl');
    const auto = harness(swapModule, { smartctl_command: missing }, fixtureHost('obs-worker-64g'));
    await auto.refresh();
    expect(auto.ok()).toBe(true);
    const required = harness(swapModule, { smartctl: true, smartctl_command: missing }, fixtureHost('obs-worker-64g'));
    await required.refresh();
    expect(required.error('smartctl')).toMatch(/not installed/);
  });

  it('runs smartctl on its own slow schedule (default 6h)', async () => {
    const config = (await swapModule.configSchema())({ baseDir: '/' }).parse({});
    const collector = await swapModule.create(config as never, { paths: fixtureHost('no-obs'), log: undefined as never });
    const smart = collector.sources.find((x) => x.id === 'smartctl')!;
    expect(smart.schedule).toEqual({ kind: 'interval', ms: 6 * 3600 * 1000 });
    expect(collector.sources.find((x) => x.id === 'swap')!.schedule).toBeUndefined();
  });
});
