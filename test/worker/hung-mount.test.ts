// A build root below a hung FUSE file system (a real mount whose server never answers, as a dead
// NFS or sshfs server behaves): the worker source fails on its timeout and keeps its last good
// figures, and the exporter goes on serving, because statfs of a path through a non-local
// mount never runs on the event loop.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureHost, MiB } from '../procfs/harness.js';
import { startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { parseMetricsText, valueOf } from '../support/metrics-text.js';
import { tempDir } from '../support/tmp.js';

const canMountFuse = process.getuid?.() === 0 && spawnSync('test', ['-c', '/dev/fuse']).status === 0;

describe.skipIf(!canMountFuse)('worker collector with a build root on a hung FUSE mount', () => {
  const dir = tempDir('headroom-hung-');
  const workerDir = path.join(dir, 'worker');
  const tmpfsRoot = path.join(workerDir, 'root_1');
  const hungRoot = path.join(workerDir, 'root_2');
  const mountinfo = path.join(dir, 'proc/self/mountinfo');
  const mounted: string[] = [];
  let fuseFd: number | null = null;
  let exporter: ExporterProcess;

  /** The real mount table of this process, as the exporter reads it through --path.procfs. */
  const copyMountTable = () => writeFileSync(mountinfo, readFileSync('/proc/self/mountinfo'));

  async function scrape(): Promise<ReturnType<typeof parseMetricsText>> {
    const res = await fetch(exporter.url + '/metrics');
    expect(res.status).toBe(200);
    return parseMetricsText(await res.text());
  }

  beforeAll(async () => {
    mkdirSync(tmpfsRoot, { recursive: true });
    mkdirSync(hungRoot, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', tmpfsRoot]);
    mounted.push(tmpfsRoot);
    writeFileSync(path.join(tmpfsRoot, 'data'), Buffer.alloc(5 * MiB, 1));
    mkdirSync(path.dirname(mountinfo), { recursive: true });
    copyFileSync(path.join(fixtureHost('no-obs').procfs, 'meminfo'), path.join(dir, 'proc/meminfo'));
    copyMountTable();
    const config = path.join(dir, 'headroom.yml');
    writeFileSync(config, `collectors:\n  worker:\n    config_files: []\n    tmpfs_mounts: ["${workerDir}/root_*", "${hungRoot}/build"]\n    timeout: 1s\n`);
    exporter = await startExporterProcess(['--config', config, '--path.procfs', path.join(dir, 'proc'), '--path.sysfs', '/sys', '--path.rootfs', '/']);
  });

  afterAll(async () => {
    // The exporter first: its thread-pool thread waits in the hung statfs until the mount goes.
    await exporter?.stop('SIGKILL');
    for (const mp of mounted.reverse()) execFileSync('umount', ['-l', mp]);
    // Closing the FUSE device aborts the connection: whatever still waits on it gets an error.
    if (fuseFd !== null) closeSync(fuseFd);
  });

  it('counts the tmpfs build root while every mount is local', async () => {
    const s = await scrape();
    expect(valueOf(s, 'headroom_collector_source_up', { collector: 'worker', source: 'worker' })).toBe(1);
    expect(valueOf(s, 'headroom_tmpfs_used_bytes')).toBe(5 * MiB);
  });

  it('fails the source on its timeout when a build root hangs, keeps its last figures and serves on', async () => {
    // A FUSE mount whose server never replies (not even to INIT): every statfs of it waits.
    fuseFd = openSync('/dev/fuse', 'r+');
    execFileSync('mount', ['-t', 'fuse', '-o', 'fd=3,rootmode=40000,user_id=0,group_id=0', 'headroom-hung', hungRoot], {
      stdio: ['ignore', 'inherit', 'inherit', fuseFd],
    });
    mounted.push(hungRoot);
    // A build root the table places below the hung mount (as a tmpfs under a dead NFS worker
    // directory): it is a tmpfs, but looking it up goes through the FUSE server, which never answers.
    copyMountTable();
    writeFileSync(mountinfo, `${readFileSync(mountinfo, 'utf8')}9999 1 0:999 / ${hungRoot}/build rw,relatime - tmpfs tmpfs rw,size=1024k\n`);

    const s = await scrape();
    expect(valueOf(s, 'headroom_collector_source_up', { collector: 'worker', source: 'worker' })).toBe(0);
    expect(valueOf(s, 'headroom_tmpfs_used_bytes')).toBe(5 * MiB);
    const health = await fetch(exporter.url + '/healthz');
    expect(health.status).toBe(200);
    // The next scrape does not pile another hung statfs on the first: it reports the hang.
    const again = await scrape();
    expect(valueOf(again, 'headroom_collector_source_up', { collector: 'worker', source: 'worker' })).toBe(0);
    expect(valueOf(again, 'headroom_tmpfs_used_bytes')).toBe(5 * MiB);
  });
});
