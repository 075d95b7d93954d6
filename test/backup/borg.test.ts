// A real borg repository with archives created at chosen instants from non-UTC zones, read
// through the collector runtime while the exporter itself runs in yet another zone.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { backupHarness } from './harness.js';

// The exporter's own zone (a half-hour offset) must not leak into borg's naive timestamps.
process.env.TZ = 'Australia/Adelaide';

const dir = tempDir('headroom-borg-');
const repo = path.join(dir, 'repo');
const passFile = path.join(dir, 'borg.pass');
const SECRET = 'borg-secret-Vw42';
const toolEnv = { BORG_BASE_DIR: path.join(dir, 'tool-home'), BORG_PASSPHRASE: SECRET };

function borg(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = runTool('borg', args, undefined, { ...toolEnv, ...env });
  if (r.status !== 0) throw new Error(`borg ${args.join(' ')}: ${r.stderr}`);
}

const FILE_SIZES = [1000, 2345];
// borg create --timestamp takes UTC, whatever TZ borg runs in.
const etc1 = Date.UTC(2024, 2, 1, 9, 0, 0) / 1000;
// --timestamp given a reference file: its mtime, an absolute instant.
const etc2 = Date.UTC(2024, 2, 2, 7, 0, 0) / 1000;
let nowBefore = 0;
let nowAfter = 0;

beforeAll(() => {
  const data = path.join(dir, 'data');
  mkdirSync(data);
  FILE_SIZES.forEach((n, i) => writeFileSync(path.join(data, `f${i}`), 'x'.repeat(n)));
  writeFileSync(passFile, `${SECRET}\n`);
  const reference = path.join(dir, 'reference');
  writeFileSync(reference, '');
  utimesSync(reference, etc2, etc2);
  borg(['init', '--encryption=repokey', repo]);
  borg(['create', '--timestamp', '2024-03-01T09:00:00', `${repo}::etc-1`, data], { TZ: 'Asia/Tokyo' });
  borg(['create', '--timestamp', reference, `${repo}::etc-2`, data], { TZ: 'America/New_York' });
  // Created "now" in a zone far from UTC: borg records whole seconds.
  nowBefore = Math.floor(Date.now() / 1000);
  borg(['create', `${repo}::wiki-now`, data], { TZ: 'Pacific/Kiritimati' });
  nowAfter = Date.now() / 1000;
});

const base = { kind: 'borg', repository: repo, passphrase_file: passFile, max_age: '1d', base_dir: path.join(dir, 'exporter-home') };

describe('borg target', () => {
  it('reports the newest archive at the right instant, the count and the objective', async () => {
    const h = backupHarness([{ ...base, name: 'wiki' }], { baseDir: dir });
    await h.refresh();
    expect(h.errorOf('wiki')).toBeNull();
    const newest = h.value('headroom_backup_last_success_timestamp_seconds', { target: 'wiki', kind: 'borg' })!;
    expect(newest).toBeGreaterThanOrEqual(nowBefore);
    expect(newest).toBeLessThanOrEqual(nowAfter);
    expect(h.value('headroom_backup_snapshots', { target: 'wiki' })).toBe(3);
    expect(h.value('headroom_backup_repository_locks', { target: 'wiki' })).toBe(0);
    expect(h.value('headroom_backup_max_age_seconds', { target: 'wiki' })).toBe(86400);
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'wiki' })).toBe(1);
    expect(h.value('headroom_backup_newest_size_bytes', { target: 'wiki' })).toBeUndefined();
  });

  it('filters archives by name and reports the newest one\'s original size when asked', async () => {
    const h = backupHarness(
      [
        { ...base, name: 'etc', archives: 'etc-*', size: true },
        { ...base, name: 'etc-1', archives: 'etc-1' },
      ],
      { baseDir: dir },
    );
    await h.refresh();
    expect(h.errorOf('etc')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'etc' })).toBe(etc2);
    expect(h.value('headroom_backup_snapshots', { target: 'etc' })).toBe(2);
    expect(h.value('headroom_backup_newest_size_bytes', { target: 'etc' })).toBe(1000 + 2345);
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'etc-1' })).toBe(etc1);
  });

  it('fails when no archive matches the name filter', async () => {
    const h = backupHarness([{ ...base, name: 'none', archives: 'gerrit-*' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'none' })).toBe(0);
    expect(h.errorOf('none')).toMatch(/no archives matching gerrit-\*/);
  });

  it('a wrong passphrase fails the check, keeps the last good data and never shows the passphrase', async () => {
    const ownPass = path.join(dir, 'changing.pass');
    copyFileSync(passFile, ownPass);
    const h = backupHarness([{ ...base, name: 'wiki', passphrase_file: ownPass }], { baseDir: dir });
    await h.refresh();
    const good = h.value('headroom_backup_last_success_timestamp_seconds', { target: 'wiki' });
    expect(good).toBeDefined();

    const WRONG = 'wrong-passphrase-Hj3';
    writeFileSync(ownPass, `${WRONG}\n`);
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'wiki' })).toBe(0);
    expect(h.errorOf('wiki')).toMatch(/wrong passphrase/);
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'wiki' })).toBe(good);
    expect(h.logs.some((l) => l.includes('"source":"wiki"') && l.includes('wrong passphrase'))).toBe(true);
    const everything = h.logs.join('') + JSON.stringify(h.runtime.status()) + JSON.stringify(h.samples());
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(WRONG);
  });

  it('an encrypted repository without a passphrase file fails at once instead of prompting', async () => {
    const { passphrase_file: _, ...noPass } = base;
    const h = backupHarness([{ ...noPass, name: 'nopass' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'nopass' })).toBe(0);
    expect(h.errorOf('nopass')).toMatch(/wrong passphrase/);
  });

  it('reads an unencrypted repository without a passphrase file', async () => {
    const plain = path.join(dir, 'plain');
    borg(['init', '--encryption=none', plain]);
    borg(['create', '--timestamp', '2023-12-31T23:59:59', `${plain}::last-of-2023`, path.join(dir, 'data')], { TZ: 'Europe/Berlin' });
    const h = backupHarness([{ kind: 'borg', name: 'plain', repository: plain, max_age: '1d', base_dir: path.join(dir, 'exporter-home') }], { baseDir: dir });
    await h.refresh();
    expect(h.errorOf('plain')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'plain' })).toBe(Date.UTC(2023, 11, 31, 23, 59, 59) / 1000);
  });

  it('a missing repository fails the check', async () => {
    const h = backupHarness([{ ...base, name: 'gone', repository: path.join(dir, 'no-such-repo') }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'gone' })).toBe(0);
    expect(h.errorOf('gone')).toMatch(/repository not found/);
  });

  it('borg not installed fails the check', async () => {
    const h = backupHarness([{ ...base, name: 'nobin', program: 'borg-not-installed-here' }], { baseDir: dir });
    await h.refresh();
    expect(h.value('headroom_collector_source_up', { collector: 'backup', source: 'nobin' })).toBe(0);
    expect(h.errorOf('nobin')).toMatch(/borg-not-installed-here is not installed/);
  });
});

describe('borg target under a held lock', () => {
  let holder: ReturnType<typeof spawn> | undefined;
  afterAll(() => {
    if (holder?.pid && holder.exitCode === null) process.kill(-holder.pid, 'SIGKILL');
  });

  it('still reads while another borg holds the repository lock', async () => {
    holder = spawn('borg', ['with-lock', repo, 'sleep', '600'], { env: { ...process.env, ...toolEnv }, stdio: 'ignore', detached: true });
    await waitFor(() => (existsSync(path.join(repo, 'lock.exclusive')) ? true : undefined), 'the repository lock');
    // The lock is real: a plain `borg list` gives up on it.
    const locking = runTool('borg', ['list', '--json', repo], undefined, toolEnv);
    expect(locking.status).not.toBe(0);
    expect(locking.stderr).toMatch(/Failed to create\/acquire the lock/);

    const h = backupHarness([{ ...base, name: 'locked', archives: 'etc-*' }], { baseDir: dir });
    await h.refresh();
    expect(h.errorOf('locked')).toBeNull();
    expect(h.value('headroom_backup_last_success_timestamp_seconds', { target: 'locked' })).toBe(etc2);
    expect(h.value('headroom_backup_repository_locks', { target: 'locked' })).toBe(1);
  });
});
