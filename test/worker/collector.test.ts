import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workerModule } from '../../exporters/worker/index.js';
import { fixtureHost, GiB, harness, KiB, MiB, names, valueOf } from '../procfs/harness.js';
import { tempDir } from '../support/tmp.js';

describe('worker collector on fixture hosts', () => {
  it('(a) 64 GiB host, 16 tmpfs instances of 8 GiB root + 2 GiB swap and 6 GiB VM memory', async () => {
    const h = harness(workerModule, {}, fixtureHost('obs-worker-64g'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_worker_obs_config_present')).toBe(1);
    expect(valueOf(s, 'headroom_worker_instances')).toBe(16);
    // obs-server says 512, buildhost.config (read last) says 6144
    expect(valueOf(s, 'headroom_worker_instance_memory_bytes')).toBe(6 * GiB);
    expect(valueOf(s, 'headroom_worker_root_size_bytes')).toBe(8 * GiB);
    expect(valueOf(s, 'headroom_worker_swap_size_bytes')).toBe(2 * GiB);
    expect(valueOf(s, 'headroom_worker_tmpfs_enabled')).toBe(1);
    expect(valueOf(s, 'headroom_worker_hugetlbfs_enabled')).toBe(0);
    expect(valueOf(s, 'headroom_memory_ram_bytes')).toBe(64 * GiB);
    // a 96 GiB partition: /proc/swaps leaves out the 4 KiB swap header page
    expect(valueOf(s, 'headroom_memory_swap_bytes')).toBe(96 * GiB - 4 * KiB);
    expect(valueOf(s, 'headroom_memory_hugepages_bytes')).toBe(0);
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(16 * 8 * GiB);
    expect(valueOf(s, 'headroom_vm_memory_promised_bytes')).toBe(16 * 6 * GiB);
    expect(valueOf(s, 'headroom_memory_overcommit_ratio')).toBeCloseTo((16 * 8 * GiB + 16 * 6 * GiB) / (64 * GiB + 96 * GiB - 4 * KiB), 12);
    expect(names(s).has('headroom_worker_hugepages_overcommit_ratio')).toBe(false);
    // The fixture's mount table lists 10 build roots, but nothing is mounted at the fixture's
    // paths: statfs finds no tmpfs there (a job that just ended), so nothing counts as used.
    expect(valueOf(s, 'headroom_tmpfs_used_bytes')).toBe(0);
    expect(valueOf(s, 'headroom_tmpfs_mounts')).toBe(0);
  });

  it('(b) hugepage-backed VM memory comes out of the hugepages, not RAM', async () => {
    const h = harness(workerModule, {}, fixtureHost('obs-worker-hugepages'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    const hugepages = 8192 * 2 * MiB;
    expect(valueOf(s, 'headroom_worker_instances')).toBe(4); // 0 = one per CPU: cpu0..cpu3
    expect(valueOf(s, 'headroom_worker_tmpfs_enabled')).toBe(1); // auto → kvm: /dev/kvm and qemu-kvm exist
    expect(valueOf(s, 'headroom_worker_hugetlbfs_enabled')).toBe(1);
    expect(valueOf(s, 'headroom_memory_hugepages_bytes')).toBe(hugepages);
    expect(valueOf(s, 'headroom_memory_ram_bytes')).toBe(32 * GiB - hugepages);
    expect(valueOf(s, 'headroom_memory_swap_bytes')).toBe(32 * GiB);
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(4 * 4096 * MiB);
    expect(valueOf(s, 'headroom_vm_memory_promised_bytes')).toBe(4 * 4096 * MiB);
    expect(valueOf(s, 'headroom_memory_overcommit_ratio')).toBeCloseTo((4 * 4096 * MiB) / (32 * GiB - hugepages + 32 * GiB), 12);
    expect(valueOf(s, 'headroom_worker_hugepages_overcommit_ratio')).toBeCloseTo((4 * 4096 * MiB) / hugepages, 12);
  });

  it('(c) a host without swap, building in lxc (no tmpfs, no VM memory)', async () => {
    const h = harness(workerModule, {}, fixtureHost('no-swap'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_worker_instances')).toBe(2);
    expect(valueOf(s, 'headroom_worker_tmpfs_enabled')).toBe(0);
    expect(valueOf(s, 'headroom_memory_swap_bytes')).toBe(0);
    expect(valueOf(s, 'headroom_memory_ram_bytes')).toBe(16 * GiB);
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(0);
    expect(valueOf(s, 'headroom_vm_memory_promised_bytes')).toBe(0);
    expect(valueOf(s, 'headroom_memory_overcommit_ratio')).toBe(0);
  });

  it('(e) a host without OBS configuration reports RAM, swap and the selected tmpfs mounts', async () => {
    const h = harness(workerModule, {}, fixtureHost('no-obs'));
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_worker_obs_config_present')).toBe(0);
    for (const absent of ['headroom_worker_instances', 'headroom_worker_tmpfs_enabled', 'headroom_worker_instance_memory_bytes']) {
      expect(names(s).has(absent)).toBe(false);
    }
    expect(valueOf(s, 'headroom_memory_ram_bytes')).toBe(16 * GiB);
    expect(valueOf(s, 'headroom_memory_swap_bytes')).toBe(4 * GiB);
    // root_1 (2 GiB) matches the default root_* selection; root_1/.mount does not.
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(2 * GiB);
    expect(valueOf(s, 'headroom_vm_memory_promised_bytes')).toBe(0);
    expect(valueOf(s, 'headroom_memory_overcommit_ratio')).toBeCloseTo((2 * GiB) / (16 * GiB + 4 * GiB), 12);
  });

  it('tmpfs_mounts replaces the default selection', async () => {
    const h = harness(workerModule, { tmpfs_mounts: ['/dev/shm', '/run'] }, fixtureHost('no-obs'));
    const s = await h.refresh();
    // /dev/shm prints no size=: the kernel's default, half of the fixture's 16 GiB RAM; /run is size=6574684k
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(8 * GiB + 6574684 * KiB);
  });
});

describe('worker collector on broken hosts', () => {
  function copyOf(name: string): { procfs: string; sysfs: string; rootfs: string } {
    const dir = tempDir();
    cpSync(path.join(fixtureHost(name).procfs, '..'), dir, { recursive: true });
    return { procfs: path.join(dir, 'proc'), sysfs: path.join(dir, 'sys'), rootfs: path.join(dir, 'root') };
  }

  it('sees a build root mounted or unmounted since the last scrape, and the same figures while the table stays', async () => {
    const paths = copyOf('no-obs');
    const table = path.join(paths.procfs, 'self', 'mountinfo');
    const original = readFileSync(table, 'utf8');
    const h = harness(workerModule, {}, paths);
    expect(valueOf(await h.refresh(), 'headroom_tmpfs_promised_bytes')).toBe(2 * GiB);
    expect(valueOf(await h.refresh(), 'headroom_tmpfs_promised_bytes')).toBe(2 * GiB);
    // A second job's root (3 GiB) is mounted...
    writeFileSync(table, `${original}60 28 0:50 / /var/cache/obs/worker/root_2 rw,relatime shared:40 - tmpfs tmpfs rw,size=3145728k,inode64\n`);
    expect(valueOf(await h.refresh(), 'headroom_tmpfs_promised_bytes')).toBe(5 * GiB);
    // ...and both jobs end.
    writeFileSync(table, original.split('\n').filter((line) => !line.includes('/root_1')).join('\n'));
    expect(valueOf(await h.refresh(), 'headroom_tmpfs_promised_bytes')).toBe(0);
    expect(h.error()).toBeNull();
  });

  it('fails with the file named when /proc/meminfo is missing', async () => {
    const paths = copyOf('no-obs');
    rmSync(path.join(paths.procfs, 'meminfo'));
    const h = harness(workerModule, {}, paths);
    await h.refresh();
    expect(h.ok()).toBe(false);
    expect(h.error()).toContain(path.join(paths.procfs, 'meminfo'));
  });

  it('fails clearly on garbage meminfo', async () => {
    const paths = copyOf('no-obs');
    writeFileSync(path.join(paths.procfs, 'meminfo'), '\u0000\u0001 binary junk\n');
    const h = harness(workerModule, {}, paths);
    await h.refresh();
    expect(h.error()).toMatch(/meminfo: no MemTotal/);
  });

  it('keeps the last good data when a config file becomes unreadable, and names it', async () => {
    const paths = copyOf('obs-worker-64g');
    const h = harness(workerModule, {}, paths);
    let s = await h.refresh();
    expect(h.ok()).toBe(true);
    const file = path.join(paths.rootfs, 'etc/buildhost.config');
    rmSync(file);
    mkdirSync(file); // reading a directory fails like an unreadable file (root can read anything)
    s = await h.refresh();
    expect(h.ok()).toBe(false);
    expect(h.error()).toContain(`cannot read OBS worker configuration ${file}`);
    expect(valueOf(s, 'headroom_worker_instance_memory_bytes')).toBe(6 * GiB);
    expect(valueOf(s, 'headroom_collector_success', { collector: 'worker' })).toBe(0);
  });

  it('names the file and line of a shell syntax error, and the variable of a bad number', async () => {
    const paths = copyOf('no-obs');
    mkdirSync(path.join(paths.rootfs, 'etc/sysconfig'), { recursive: true });
    const file = path.join(paths.rootfs, 'etc/sysconfig/obs-server');
    writeFileSync(file, 'OBS_WORKER_INSTANCES=2\nOBS_VM_TYPE="kvm\n');
    const h = harness(workerModule, {}, paths);
    await h.refresh();
    expect(h.error()).toContain(`${file}: line 2: unterminated double quote`);
    writeFileSync(file, 'OBS_WORKER_INSTANCES=2\nOBS_INSTANCE_MEMORY="6 GB"\n');
    await h.refresh();
    expect(h.error()).toMatch(/OBS_INSTANCE_MEMORY="6 GB" is not a whole number/);
  });

  it('fails clearly when instances are per CPU and /sys cannot say how many', async () => {
    const paths = copyOf('obs-worker-hugepages');
    rmSync(path.join(paths.sysfs, 'devices'), { recursive: true });
    const h = harness(workerModule, {}, paths);
    await h.refresh();
    expect(h.error()).toMatch(/OBS_WORKER_INSTANCES is 0 .* CPUs cannot be counted/);
  });

  it('survives a missing mount table entry set and odd mountinfo lines', async () => {
    const paths = copyOf('no-obs');
    writeFileSync(
      path.join(paths.procfs, 'self/mountinfo'),
      'junk\n60 1 254:1 / / rw shared:1 master:3 propagate_from:2 unbindable - ext4 /dev/vda1 rw\n' +
        '61 60 0:50 / /var/cache/obs/worker/root_3 rw - tmpfs none rw,size=1g,huge=within_size,extra_future_opt\n',
    );
    const h = harness(workerModule, {}, paths);
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(1 * GiB);
  });

  it('rejects unknown and relative config keys', async () => {
    const schema = (await workerModule.configSchema())({ baseDir: '/' });
    const typo = schema.safeParse({ tmpfs_mount: ['/x'] });
    expect(typo.error?.issues[0]?.message).toContain('did you mean "tmpfs_mounts"?');
    const relative = schema.safeParse({ config_files: ['etc/sysconfig/obs-server'] });
    expect(relative.error?.issues[0]?.message).toContain('absolute path');
  });
});
