// borg check, borg restore test and git fsck against real repositories: clean passes, a
// corrupted segment / object fails, and a borg repository locked by a running `borg create`
// is left alone (the create finishes; its lock was never broken).
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { backupHarness } from './harness.js';
import { copyRepository, corruptMiddle, filesUnder, finishHolder, startHolder, totalSize, writeBackedUpTree } from './slow-tests-support.js';

const dir = tempDir('headroom-borg-check-');
const repo = path.join(dir, 'repo');
const passFile = path.join(dir, 'borg.pass');
const PASSPHRASE = 'borg-check-secret';
const data = path.join(dir, 'data');
const toolEnv = { BORG_PASSPHRASE: PASSPHRASE, BORG_BASE_DIR: path.join(dir, 'base'), BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes' };

function borg(args: string[], cwd?: string) {
  const r = runTool('sh', ['-c', `cd "${cwd ?? dir}" && exec borg "$@"`, 'borg', ...args], undefined, toolEnv);
  if (r.status !== 0) throw new Error(`borg ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  writeBackedUpTree(data, 'wiki1');
  writeFileSync(passFile, `${PASSPHRASE}\n`);
  borg(['init', '-e', 'repokey', repo]);
  // Relative paths: the archive holds data/etc/..., as `borg create` run from the backup's root would.
  borg(['create', `${repo}::one`, 'data']);
  borg(['create', `${repo}::two`, 'data']);
});

const target = (name: string, repository: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: 'borg',
  repository,
  passphrase_file: passFile,
  // headroom's own borg home, as in production (another user): the create's cache lock is not its business.
  base_dir: path.join(dir, 'headroom-base'),
  max_age: '26h',
  integrity_check: {},
  restore_test: { path: 'data/etc', temp_dir: path.join(dir, 'restores') },
  ...extra,
});

mkdirSync(path.join(dir, 'restores'), { recursive: true });

describe('borg integrity check and restore test', () => {
  it('a clean repository passes both (repository and archives scope); restored bytes and hashes match', async () => {
    const h = backupHarness([target('clean', repo), target('clean-archives', repo, { integrity_check: { scope: 'archives' }, restore_test: undefined })], { baseDir: dir });
    await h.refresh();
        expect(h.value('headroom_backup_integrity_check_success', { target: 'clean' })).toBe(1);
    expect(h.value('headroom_backup_integrity_check_success', { target: 'clean-archives' })).toBe(1);
    expect(h.value('headroom_backup_restore_test_success', { target: 'clean' })).toBe(1);
    expect(h.value('headroom_backup_restore_test_restored_bytes', { target: 'clean' })).toBe(totalSize(path.join(data, 'etc')));
    expect(readdirSync(path.join(dir, 'restores'))).toEqual([]);
    expect(h.logs.join('')).not.toContain(PASSPHRASE);
  });

  it('a corrupted segment fails the check and the restore test', async () => {
    const broken = copyRepository(repo, path.join(dir, 'repo-segment'));
    for (const segment of filesUnder(path.join(broken, 'data'))) corruptMiddle(segment);
    const h = backupHarness([target('segment', broken)], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_backup_integrity_check_success', { target: 'segment' })).toBe(0);
    expect(h.value('headroom_backup_restore_test_success', { target: 'segment' })).toBe(0);
    expect(h.value('headroom_backup_restore_test_skipped', { target: 'segment' })).toBe(0);
  });

  it('a repository locked by a running borg create is skipped; the create completes', async () => {
    const locked = copyRepository(repo, path.join(dir, 'repo-locked'));
    const create = startHolder('borg', ['create', '--stdin-name', 'late.sql', `${locked}::three`, '-'], toolEnv);
    await waitFor(() => (existsSync(path.join(locked, 'lock.exclusive')) ? true : undefined), 'the running create\'s lock');
    const h = backupHarness([target('locked', locked)], { baseDir: dir });
    await h.refresh();
        expect(h.value('headroom_backup_integrity_check_skipped', { target: 'locked' })).toBe(1);
    expect(h.value('headroom_backup_restore_test_skipped', { target: 'locked' })).toBe(1);
    expect(h.value('headroom_backup_integrity_check_last_run_timestamp_seconds', { target: 'locked' })).toBeUndefined();
    expect(existsSync(path.join(locked, 'lock.exclusive'))).toBe(true);
    expect(await finishHolder(create)).toBe(0);
    expect(borg(['list', '--short', locked]).trim().split('\n')).toEqual(['one', 'two', 'three']);
  });
});

describe('git fsck', () => {
  const git = (cwd: string, args: string[]) => {
    const r = runTool('git', ['-C', cwd, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args]);
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const gitTarget = (name: string, p: string) => ({ name, kind: 'git', path: p, max_age: '26h', integrity_check: {} });

  it('passes a sound repository and fails one with a broken object', async () => {
    const sound = path.join(dir, 'etc-git');
    mkdirSync(sound);
    git(sound, ['init', '-q']);
    writeFileSync(path.join(sound, 'hosts'), '127.0.0.1 localhost\n'.repeat(20));
    git(sound, ['add', 'hosts']);
    git(sound, ['commit', '-qm', 'etckeeper']);
    const broken = copyRepository(sound, path.join(dir, 'etc-git-broken'));
    const blob = git(broken, ['rev-parse', 'HEAD:hosts']).trim();
    corruptMiddle(path.join(broken, '.git', 'objects', blob.slice(0, 2), blob.slice(2)), 4);
    // The metadata read does not notice: the commit is intact.
    const h = backupHarness([gitTarget('sound', sound), gitTarget('broken', broken)], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'broken' })).toBe(1);
    expect(h.value('headroom_backup_integrity_check_success', { target: 'sound' })).toBe(1);
    expect(h.value('headroom_backup_integrity_check_success', { target: 'broken' })).toBe(0);
    expect(h.logs.join('')).toMatch(/integrity-check failed: git fsck of/);
  });
});
