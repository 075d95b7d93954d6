// Real tmpfs mounts of known sizes with known amounts written prove the statfs path.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerModule } from '../../exporters/worker/index.js';
import { fixtureHost, harness, MiB, valueOf } from '../procfs/harness.js';
import { tempDir } from '../support/tmp.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('worker collector on real tmpfs mounts', () => {
  const dir = tempDir('headroom-tmpfs-');
  const workerDir = path.join(dir, 'worker');
  const mounted: string[] = [];
  // mount point → [size limit in MiB, MiB written]
  const layout: Record<string, [number, number]> = {
    [path.join(workerDir, 'root_1')]: [64, 10],
    [path.join(workerDir, 'root_2')]: [64, 3],
    [path.join(workerDir, 'root_3')]: [8, 2], // beyond the 2 configured instances: adds its own limit
    [path.join(dir, 'extra')]: [16, 1],
  };

  beforeAll(() => {
    for (const [mp, [sizeMiB, writtenMiB]] of Object.entries(layout)) {
      mkdirSync(mp, { recursive: true });
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', mp]);
      mounted.push(mp);
      writeFileSync(path.join(mp, 'data'), Buffer.alloc(writtenMiB * MiB, 1));
    }
    mkdirSync(path.join(dir, 'proc/self'), { recursive: true });
    copyFileSync(path.join(fixtureHost('no-obs').procfs, 'meminfo'), path.join(dir, 'proc/meminfo'));
    // The real mount table of this process, taken after mounting.
    writeFileSync(path.join(dir, 'proc/self/mountinfo'), readFileSync('/proc/self/mountinfo'));
    writeFileSync(
      path.join(dir, 'obs-server'),
      `OBS_WORKER_INSTANCES=2\nOBS_WORKER_DIRECTORY="${workerDir}"\nOBS_VM_TYPE=kvm\nOBS_VM_USE_TMPFS=yes\nOBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE=64\n`,
    );
  });

  afterAll(() => {
    for (const mp of mounted.reverse()) execFileSync('umount', ['-l', mp]);
  });

  it('sums the size limits promised and the bytes statfs sees in use', async () => {
    const paths = { procfs: path.join(dir, 'proc'), sysfs: '/sys', rootfs: '/' };
    const h = harness(
      workerModule,
      { config_files: [path.join(dir, 'obs-server')], tmpfs_mounts: [path.join(workerDir, 'root_*'), path.join(dir, 'extra')] },
      paths,
    );
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(2 * 64 * MiB + 8 * MiB + 16 * MiB);
    expect(valueOf(s, 'headroom_tmpfs_used_bytes')).toBe((10 + 3 + 2 + 1) * MiB);
    expect(valueOf(s, 'headroom_tmpfs_mounts')).toBe(4);
    expect(valueOf(s, 'headroom_vm_memory_promised_bytes')).toBe(2 * 512 * MiB);
  });

  it('counts a build root unmounted after the table was read as not in use', async () => {
    const gone = path.join(workerDir, 'root_2');
    execFileSync('umount', [gone]);
    mounted.splice(mounted.indexOf(gone), 1);
    const paths = { procfs: path.join(dir, 'proc'), sysfs: '/sys', rootfs: '/' };
    const h = harness(workerModule, { config_files: [path.join(dir, 'obs-server')] }, paths);
    const s = await h.refresh();
    expect(h.error()).toBeNull();
    // The (stale) table still lists root_2, but statfs finds the parent filesystem there.
    expect(valueOf(s, 'headroom_tmpfs_used_bytes')).toBe((10 + 2) * MiB);
    expect(valueOf(s, 'headroom_tmpfs_mounts')).toBe(2);
    expect(valueOf(s, 'headroom_tmpfs_promised_bytes')).toBe(2 * 64 * MiB + 8 * MiB);
  });
});
