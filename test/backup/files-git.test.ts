// files and git targets on trees built in a temporary folder: files with chosen mtimes under a
// fixture root (--path.rootfs), git commits with chosen committer dates.
import { chownSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { backupHarness } from './harness.js';

const dir = tempDir('headroom-files-git-');

describe('files target', () => {
  const root = path.join(dir, 'root');
  const dumps = path.join(root, 'srv/dumps');
  const paths = { procfs: '/proc', sysfs: '/sys', rootfs: root };
  // name → [mtime (Unix seconds), size in bytes]
  const files: Record<string, [number, number]> = {
    'gerrit-1.sql.gz': [Date.UTC(2024, 2, 1, 3, 0, 0) / 1000, 100],
    'gerrit-2.sql.gz': [Date.UTC(2024, 2, 2, 3, 0, 0) / 1000, 250],
    'gerrit-3.sql.gz': [Date.UTC(2024, 2, 1, 12, 0, 0) / 1000, 75],
    'gerrit.log': [Date.UTC(2024, 2, 5, 0, 0, 0) / 1000, 10], // newer, but not a dump
  };
  beforeAll(() => {
    mkdirSync(dumps, { recursive: true });
    for (const [name, [mtime, size]] of Object.entries(files)) {
      writeFileSync(path.join(dumps, name), 'd'.repeat(size));
      utimesSync(path.join(dumps, name), mtime, mtime);
    }
    // A directory that matches the glob is not a backup file.
    mkdirSync(path.join(dumps, 'gerrit-9.sql.gz'));
    utimesSync(path.join(dumps, 'gerrit-9.sql.gz'), Date.UTC(2024, 2, 9) / 1000, Date.UTC(2024, 2, 9) / 1000);
  });

  const target = { name: 'gerrit-dumps', kind: 'files', path: '/srv/dumps/gerrit-*.sql.gz', max_age: '26h' };

  it('reports the newest matching file under --path.rootfs, how many match and its size', async () => {
    const h = backupHarness([target], { baseDir: dir, paths });
    await h.refresh();
    expect(h.errorOf('gerrit-dumps')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'gerrit-dumps', kind: 'files' })).toBe(Date.UTC(2024, 2, 2, 3, 0, 0) / 1000);
    expect(h.value('headroom_backup_snapshots', { target: 'gerrit-dumps' })).toBe(3);
    expect(h.value('headroom_backup_repository_locks', { target: 'gerrit-dumps' })).toBeUndefined();
    expect(h.value('headroom_backup_newest_size_bytes', { target: 'gerrit-dumps' })).toBe(250);
    expect(h.value('headroom_backup_max_age_seconds', { target: 'gerrit-dumps' })).toBe(26 * 3600);
  });

  it('a glob matching nothing fails that target alone', async () => {
    const h = backupHarness([{ ...target, name: 'wiki-dumps', path: '/srv/dumps/wiki-*.xml' }, target], { baseDir: dir, paths });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'wiki-dumps' })).toBe(0);
    expect(h.errorOf('wiki-dumps')).toMatch(/no file matches/);
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'gerrit-dumps' })).toBe(1);
    expect(h.value('headroom_backup_snapshots', { target: 'gerrit-dumps' })).toBe(3);
    expect(h.value('headroom_collector_success', { collector: 'backup' })).toBe(0);
  });

  it('fails when nothing matches, keeping the last good timestamp', async () => {
    const moving = path.join(root, 'srv/moving');
    mkdirSync(moving, { recursive: true });
    const t = Date.UTC(2024, 5, 1, 0, 0, 0) / 1000;
    writeFileSync(path.join(moving, 'a.tar'), 'x');
    utimesSync(path.join(moving, 'a.tar'), t, t);
    const h = backupHarness([{ name: 'moving', kind: 'files', path: '/srv/moving/*.tar', max_age: '1d' }], { baseDir: dir, paths });
    await h.refresh();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'moving' })).toBe(t);

    rmSync(path.join(moving, 'a.tar'));
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'moving' })).toBe(0);
    expect(h.errorOf('moving')).toMatch(/no file matches/);
    expect(h.errorOf('moving')).toContain('/srv/moving/*.tar');
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'moving' })).toBe(t);
  });

  it('a missing directory fails with a message naming it', async () => {
    const h = backupHarness([{ name: 'nodir', kind: 'files', path: '/srv/nowhere/*.gz', max_age: '1d' }], { baseDir: dir, paths });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'nodir' })).toBe(0);
    expect(h.errorOf('nodir')).toMatch(/srv\/nowhere does not exist/);
  });
});

describe('git target', () => {
  const repo = path.join(dir, 'etc');
  const gitEnv = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org' };
  function git(args: string[], env: NodeJS.ProcessEnv = {}) {
    const r = runTool('git', ['-C', repo, ...args], undefined, { ...gitEnv, ...env });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  }
  // Committer dates with offsets, as etckeeper on hosts in other zones writes them.
  const first = Date.UTC(2024, 2, 1, 0, 0, 0) / 1000; // 2024-03-01T09:00:00+09:00
  const second = Date.UTC(2024, 2, 2, 7, 0, 0) / 1000; // 2024-03-02T02:00:00-05:00

  beforeAll(() => {
    mkdirSync(repo);
    git(['init', '-q']);
    writeFileSync(path.join(repo, 'hosts'), '127.0.0.1 localhost\n');
    git(['add', 'hosts']);
    git(['commit', '-q', '-m', 'first'], { GIT_COMMITTER_DATE: '2024-03-01T09:00:00+09:00', GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z' });
    writeFileSync(path.join(repo, 'hosts'), '127.0.0.1 localhost etc\n');
    git(['commit', '-q', '-am', 'second'], { GIT_COMMITTER_DATE: '2024-03-02T02:00:00-05:00', GIT_AUTHOR_DATE: '2020-01-02T00:00:00Z' });
  });

  const target = { name: 'etc', kind: 'git', path: repo, max_age: '26h' };

  it('reports the last commit\'s committer time and the commit count', async () => {
    const h = backupHarness([target], { baseDir: dir });
    await h.refresh();
    expect(h.errorOf('etc')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'etc', kind: 'git' })).toBe(second);
    expect(h.value('headroom_backup_snapshots', { target: 'etc' })).toBe(2);
    expect(h.value('headroom_backup_newest_size_bytes', { target: 'etc' })).toBeUndefined();
  });

  it('reads an older ref when configured', async () => {
    const h = backupHarness([{ ...target, ref: 'HEAD~1' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'etc' })).toBe(first);
    expect(h.value('headroom_backup_snapshots', { target: 'etc' })).toBe(1);
  });

  it.skipIf(process.getuid?.() !== 0)('reads a repository owned by another user (git safe.directory)', async () => {
    const foreign = path.join(dir, 'foreign');
    const r = runTool('git', ['clone', '-q', repo, foreign], undefined, gitEnv);
    expect(r.status).toBe(0);
    runTool('chown', ['-R', '65534:65534', foreign]);
    // The plain git the exporter would otherwise run refuses it.
    const plain = runTool('git', ['-C', foreign, 'log', '-1', '--format=%ct'], undefined, gitEnv);
    expect(plain.stderr).toMatch(/dubious ownership/);
    const h = backupHarness([{ ...target, name: 'foreign', path: foreign }], { baseDir: dir });
    await h.refresh();
    expect(h.errorOf('foreign')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'foreign' })).toBe(second);
  });

  it('a directory that is not a repository fails, even inside another repository', async () => {
    const inside = path.join(repo, 'subdir');
    mkdirSync(inside);
    const h = backupHarness([{ ...target, name: 'notrepo', path: inside }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'notrepo' })).toBe(0);
    expect(h.errorOf('notrepo')).toMatch(/not a git repository/);
  });

  it('a repository without commits fails', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    runTool('git', ['-C', empty, 'init', '-q'], undefined, gitEnv);
    const h = backupHarness([{ ...target, name: 'empty', path: empty }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'empty' })).toBe(0);
    expect(h.errorOf('empty')).toMatch(/no commit at the configured ref/);
  });

  it('git not installed fails the check', async () => {
    const h = backupHarness([{ ...target, name: 'nogit', program: 'git-not-installed-here' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'nogit' })).toBe(0);
    expect(h.errorOf('nogit')).toMatch(/git-not-installed-here is not installed/);
  });
});
