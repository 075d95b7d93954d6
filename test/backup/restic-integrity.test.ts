// restic integrity check and restore test against real repositories: a clean one passes, a
// corrupted pack fails both, a corrupted snapshot file (which the metadata read silently
// undercounts) fails the check, and a repository locked by a running backup is left alone.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { backupHarness } from './harness.js';
import { copyRepository, corruptMiddle, filesUnder, finishHolder, startHolder, totalSize, writeBackedUpTree } from './slow-tests-support.js';

const dir = tempDir('headroom-restic-check-');
const repo = path.join(dir, 'repo');
const passFile = path.join(dir, 'restic.pass');
const data = path.join(dir, 'data');
const env = (repository: string) => ({ RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passFile, RESTIC_CACHE_DIR: path.join(dir, `cache-${path.basename(repository)}`) });

function restic(repository: string, args: string[]) {
  const r = runTool('restic', args, undefined, env(repository));
  if (r.status !== 0) throw new Error(`restic ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  writeBackedUpTree(data, 'bugzilla1');
  writeFileSync(passFile, 'check-secret\n');
  restic(repo, ['init']);
  restic(repo, ['backup', data]);
  restic(repo, ['backup', data]);
});

const target = (name: string, repository: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: 'restic',
  repository,
  password_file: passFile,
  max_age: '26h',
  cache_dir: env(repository).RESTIC_CACHE_DIR,
  integrity_check: { read_data_subset: '100%' },
  restore_test: { path: path.join(data, 'etc'), temp_dir: path.join(dir, 'restores') },
  ...extra,
});

mkdirSync(path.join(dir, 'restores'), { recursive: true });

describe('restic integrity check and restore test', () => {
  it('a clean repository passes both; the restored bytes are what the directory holds', async () => {
    const h = backupHarness([target('clean', repo)], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_backup_integrity_check_success', { target: 'clean' })).toBe(1);
    expect(h.value('headroom_backup_integrity_check_skipped', { target: 'clean' })).toBe(0);
    expect(h.value('headroom_backup_integrity_check_last_run_timestamp_seconds', { target: 'clean' })).toBeGreaterThan(Date.UTC(2025, 0, 1) / 1000);
    expect(h.value('headroom_backup_integrity_check_interval_seconds', { target: 'clean' })).toBe(7 * 86400);
    expect(h.value('headroom_backup_restore_test_success', { target: 'clean' })).toBe(1);
    expect(h.value('headroom_backup_restore_test_restored_bytes', { target: 'clean' })).toBe(totalSize(path.join(data, 'etc')));
    // The private directory is gone again.
    expect(readdirSync(path.join(dir, 'restores'))).toEqual([]);
  });

  it('refuses a path larger than max_size before restoring anything', async () => {
    const h = backupHarness([target('toobig', repo, { integrity_check: undefined, restore_test: { path: data, max_size: '100KiB', temp_dir: path.join(dir, 'restores') } })], { baseDir: dir });
    await h.refresh('toobig/restore-test');
    expect(h.value('headroom_backup_restore_test_success', { target: 'toobig' })).toBe(0);
    expect(h.logs.join('')).toMatch(new RegExp(`holds ${totalSize(data)} bytes, more than max_size`));
    expect(readdirSync(path.join(dir, 'restores'))).toEqual([]);
  });

  it('a corrupted pack fails the check and the restore test, while the metadata read still looks healthy', async () => {
    const broken = copyRepository(repo, path.join(dir, 'repo-pack'));
    for (const pack of filesUnder(path.join(broken, 'data'))) corruptMiddle(pack);
    const h = backupHarness([target('pack', broken)], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_backup_snapshots', { target: 'pack' })).toBe(2);
    expect(h.value('headroom_backup_integrity_check_success', { target: 'pack' })).toBe(0);
    expect(h.value('headroom_backup_integrity_check_skipped', { target: 'pack' })).toBe(0);
    expect(h.value('headroom_backup_restore_test_success', { target: 'pack' })).toBe(0);
    expect(h.logs.join('')).toMatch(/integrity-check failed: restic check of/);
  });

  it('a corrupted snapshot file: the read undercounts, the check fails', async () => {
    const broken = copyRepository(repo, path.join(dir, 'repo-snap'));
    const [first] = filesUnder(path.join(broken, 'snapshots'));
    corruptMiddle(first!);
    const h = backupHarness([target('snap', broken, { integrity_check: {}, restore_test: undefined })], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_backup_snapshots', { target: 'snap' })).toBe(1);
    expect(h.value('headroom_backup_integrity_check_success', { target: 'snap' })).toBe(0);
  });

  it('a repository locked by a running backup is skipped, the lock kept and the backup completes', async () => {
    const locked = copyRepository(repo, path.join(dir, 'repo-locked'));
    const backup = startHolder('restic', ['backup', '--stdin', '--stdin-filename', 'late.sql'], env(locked));
    // restic writes the lock under a -tmp- name, then renames it.
    const held = () => readdirSync(path.join(locked, 'locks')).filter((f) => /^[0-9a-f]{64}$/.test(f));
    await waitFor(() => (held().length > 0 ? true : undefined), 'the running backup\'s lock');
    const lockFiles = held();
    const h = backupHarness([target('locked', locked)], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_backup_integrity_check_skipped', { target: 'locked' })).toBe(1);
    expect(h.value('headroom_backup_integrity_check_success', { target: 'locked' })).toBeUndefined();
    expect(h.value('headroom_backup_restore_test_skipped', { target: 'locked' })).toBe(1);
    expect(h.value('headroom_backup_restore_test_last_run_timestamp_seconds', { target: 'locked' })).toBeUndefined();
    expect(held()).toEqual(lockFiles);
    // The backup was not in anybody's way: it finishes and its snapshot is there.
    expect(await finishHolder(backup)).toBe(0);
    expect(JSON.parse(restic(locked, ['snapshots', '--json'])) as unknown[]).toHaveLength(3);
    expect(existsSync(path.join(locked, 'locks')) && readdirSync(path.join(locked, 'locks'))).toEqual([]);
  });
});
