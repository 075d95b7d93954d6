// A real restic repository with snapshots made at chosen times in several time zones, read
// through the collector runtime; every failure the issue lists, and a lock held by another
// restic that must not stop the read.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { backupHarness } from './harness.js';

const dir = tempDir('headroom-restic-');
const repo = path.join(dir, 'repo');
const passFile = path.join(dir, 'restic.pass');
const SECRET = 'restic-secret-Kx81';
const resticEnv = { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: passFile, RESTIC_CACHE_DIR: path.join(dir, 'cache') };

function restic(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = runTool('restic', args, undefined, { ...resticEnv, ...env });
  if (r.status !== 0) throw new Error(`restic ${args.join(' ')}: ${r.stderr}`);
}

// The snapshots, by their local wall-clock time and zone (restic backup --time is local time).
const tokyoNightly = Date.UTC(2024, 2, 1, 9 - 9, 0, 0) / 1000; // 2024-03-01 09:00 in Tokyo (UTC+9)
const utcWeb1 = Date.UTC(2024, 2, 2, 6, 30, 0) / 1000; // 2024-03-02 06:30 UTC
const newYorkDb = Date.UTC(2024, 2, 2, 2 + 5, 0, 0) / 1000; // 2024-03-02 02:00 in New York (EST, UTC-5): 07:00 UTC

beforeAll(() => {
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'file.txt'), 'backed up\n');
  writeFileSync(passFile, `${SECRET}\n`);
  restic(['init']);
  const data = path.join(dir, 'data');
  restic(['backup', '--time', '2024-03-01 09:00:00', '--host', 'web1', '--tag', 'nightly', data], { TZ: 'Asia/Tokyo' });
  restic(['backup', '--time', '2024-03-02 06:30:00', '--host', 'web1', data], { TZ: 'UTC' });
  // Local "02:00" sorts before "06:30" as text, yet it is the newest instant.
  restic(['backup', '--time', '2024-03-02 02:00:00', '--host', 'db1', '--tag', 'nightly', data], { TZ: 'America/New_York' });
});

const base = { kind: 'restic', repository: repo, password_file: passFile, max_age: '26h', cache_dir: path.join(dir, 'cache') };

describe('restic target', () => {
  it('reports the newest snapshot across zones, the count and the objective', async () => {
    const h = backupHarness([{ ...base, name: 'all' }], { baseDir: dir });
    await h.refresh();
    expect(h.errorOf('all')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'all', kind: 'restic' })).toBe(newYorkDb);
    expect(h.value('headroom_backup_snapshots', { target: 'all' })).toBe(3);
    expect(h.value('headroom_backup_repository_locks', { target: 'all' })).toBe(0);
    expect(h.value('headroom_backup_max_age_seconds', { target: 'all' })).toBe(26 * 3600);
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'all' })).toBe(1);
    expect(h.value('headroom_collector_source_last_attempt_timestamp_seconds', { collector: 'backup', source: 'all' })).toBeGreaterThan(Date.UTC(2025, 0, 1) / 1000);
    // restic 0.14 records no summary, and `restic stats` is not cheap: no size series.
    expect(h.value('headroom_backup_newest_size_bytes', { target: 'all' })).toBeUndefined();
    expect(h.value('headroom_collector_success', { collector: 'backup' })).toBe(1);
  });

  it('applies host, tag and combined filters', async () => {
    const h = backupHarness(
      [
        { ...base, name: 'web1', host: 'web1' },
        { ...base, name: 'nightly', tags: ['nightly'] },
        { ...base, name: 'web1-nightly', host: 'web1', tags: ['nightly'] },
        { ...base, name: 'data-path', path: path.join(dir, 'data') },
      ],
      { baseDir: dir },
    );
    await h.refresh();
    expect(h.value('headroom_backup_snapshots', { target: 'web1' })).toBe(2);
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'web1' })).toBe(utcWeb1);
    expect(h.value('headroom_backup_snapshots', { target: 'nightly' })).toBe(2);
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'nightly' })).toBe(newYorkDb);
    expect(h.value('headroom_backup_snapshots', { target: 'web1-nightly' })).toBe(1);
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'web1-nightly' })).toBe(tokyoNightly);
    expect(h.value('headroom_backup_snapshots', { target: 'data-path' })).toBe(3);
  });

  it('fails a target whose filters match nothing, naming the filter', async () => {
    const h = backupHarness([{ ...base, name: 'typo', host: 'web-1' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'typo' })).toBe(0);
    expect(h.errorOf('typo')).toMatch(/no snapshots matching host web-1/);
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'typo' })).toBeUndefined();
    // The objective is there even though the target never succeeded.
    expect(h.value('headroom_backup_max_age_seconds', { target: 'typo' })).toBe(26 * 3600);
    expect(h.value('headroom_collector_success', { collector: 'backup' })).toBe(0);
  });

  it('a wrong password fails the check, keeps the last good timestamp and never shows the password', async () => {
    const ownPass = path.join(dir, 'changing.pass');
    copyFileSync(passFile, ownPass);
    const h = backupHarness([{ ...base, name: 'bz', password_file: ownPass }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'bz' })).toBe(1);

    const WRONG = 'not-the-password-Qz7';
    writeFileSync(ownPass, `${WRONG}\n`);
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'bz' })).toBe(0);
    expect(h.errorOf('bz')).toMatch(/wrong password/);
    expect(h.errorOf('bz')).toContain(repo);
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'bz' })).toBe(newYorkDb);
    expect(h.value('headroom_backup_snapshots', { target: 'bz' })).toBe(3);
    const failure = h.logs.find((l) => l.includes('collection failed'));
    expect(failure).toBeDefined();
    expect(failure).toContain('"source":"bz"');
    expect(failure).toMatch(/wrong password/);
    const everything = h.logs.join('') + JSON.stringify(h.runtime.status()) + JSON.stringify(h.samples());
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(WRONG);
  });

  it('a missing repository fails the check', async () => {
    const h = backupHarness([{ ...base, name: 'gone', repository: path.join(dir, 'no-such-repo') }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'gone' })).toBe(0);
    expect(h.errorOf('gone')).toMatch(/repository not found/);
    expect(h.errorOf('gone')).toContain('no-such-repo');
  });

  it('restic not installed fails the check', async () => {
    const h = backupHarness([{ ...base, name: 'nobin', program: 'restic-not-installed-here' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'nobin' })).toBe(0);
    expect(h.errorOf('nobin')).toMatch(/restic-not-installed-here is not installed/);
  });

  it('a hung restic is killed at the timeout and the next read starts afresh', async () => {
    // A restic that never answers, like one stuck on a hung mount (headroom refuses a FIFO as the
    // password file, which used to be the way to make the real one block).
    const hung = path.join(dir, 'hung-restic');
    writeFileSync(hung, '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    const h = backupHarness([{ ...base, name: 'hung', program: hung, timeout: '1s' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'hung' })).toBe(0);
    expect(h.errorOf('hung')).toMatch(/timed out after 1s/);
    // The killed restic settled, so a second read is a new attempt, not "still running".
    await waitFor(async () => {
      await h.refresh();
      return /timed out after 1s/.test(h.errorOf('hung') ?? '') ? true : undefined;
    }, 'a fresh timed-out attempt');
  });
});

describe('restic target under an exclusive lock', () => {
  let holder: ReturnType<typeof spawn> | undefined;
  afterAll(() => {
    if (holder?.pid && holder.exitCode === null) process.kill(-holder.pid, 'SIGKILL');
  });

  it('still reads while another restic holds an exclusive lock (no lock is taken or waited for)', async () => {
    // `key passwd` takes the exclusive lock, then blocks reading the new password from a FIFO.
    const fifo = path.join(dir, 'new-password.fifo');
    execFileSync('mkfifo', [fifo]);
    holder = spawn('restic', ['key', 'passwd', '--new-password-file', fifo], {
      env: { ...process.env, ...resticEnv },
      stdio: 'ignore',
      detached: true,
    });
    await waitFor(() => (existsSync(path.join(repo, 'locks')) && readdirSync(path.join(repo, 'locks')).length > 0 ? true : undefined), 'the exclusive lock');
    // The lock is real: a plain, locking `restic snapshots` is refused.
    const locking = runTool('restic', ['snapshots', '--json'], undefined, resticEnv);
    expect(locking.status).not.toBe(0);
    expect(locking.stderr).toMatch(/locked exclusively/);

    const h = backupHarness([{ ...base, name: 'locked' }], { baseDir: dir });
    await h.refresh();
    expect(h.errorOf('locked')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'locked' })).toBe(newYorkDb);
    expect(readdirSync(path.join(repo, 'locks'))).toHaveLength(1); // only the holder's
    expect(h.value('headroom_backup_repository_locks', { target: 'locked' })).toBe(1); // and it is reported
  });
});
