// The pure parsers on real tool output (fixtures captured from restic 0.14 and borg 1.2 on
// Debian 12) and on the odd-but-valid and broken inputs they must survive.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBorgInfoOriginalSize, parseBorgList } from '../../exporters/backup/borg-json.js';
import { parseGitInteger } from '../../exporters/backup/git-output.js';
import { GlobPatternError, splitGlob } from '../../src/glob.js';
import { BackupParseError } from '../../exporters/backup/parse-error.js';
import { countResticLocks, parseResticSnapshots } from '../../exporters/backup/restic-json.js';
import { parseIsoSeconds } from '../../exporters/backup/timestamps.js';
import { describeToolFailure, scrubSecret } from '../../exporters/backup/tool-errors.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/backup');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

describe('parseIsoSeconds', () => {
  it('reads restic nanoseconds with Z', () => {
    expect(parseIsoSeconds('2026-11-25T08:31:56.081318203Z')).toBeCloseTo(Date.UTC(2026, 10, 25, 8, 31, 56) / 1000 + 0.081318203, 6);
  });
  it('applies a positive and a negative offset', () => {
    // 09:00 in Tokyo (+09:00) is midnight UTC; 02:00 at -05:00 is 07:00 UTC.
    expect(parseIsoSeconds('2024-03-01T09:00:00+09:00')).toBe(Date.UTC(2024, 2, 1, 0, 0, 0) / 1000);
    expect(parseIsoSeconds('2025-01-10T02:00:00-05:00')).toBe(Date.UTC(2025, 0, 10, 7, 0, 0) / 1000);
  });
  it('reads a naive borg time as UTC', () => {
    expect(parseIsoSeconds('2024-03-01T09:00:00.000000')).toBe(Date.UTC(2024, 2, 1, 9, 0, 0) / 1000);
  });
  it('rejects garbage and impossible dates with its own error', () => {
    for (const bad of ['', 'yesterday', '2024-13-01T00:00:00Z', '2024-03-01 09:00:00', '2024-03-01T25:00:00Z', '1709280000']) {
      expect(() => parseIsoSeconds(bad), bad).toThrow(BackupParseError);
    }
  });
});

describe('parseResticSnapshots', () => {
  it('reads restic 0.14 output: tags left out when empty, no summary', () => {
    const snaps = parseResticSnapshots(fixture('restic-0.14-snapshots.json'));
    expect(snaps).toHaveLength(2);
    expect(snaps[0]!.tags).toEqual(['nightly', 'demo']);
    expect(snaps[1]!.tags).toEqual([]);
    expect(snaps[1]!.timeSeconds).toBe(Date.UTC(2024, 2, 1, 0, 0, 0) / 1000);
    expect(snaps[0]!.totalBytesProcessed).toBeUndefined();
    expect(snaps[0]!.hostname).toBe('demo-host');
  });
  it('reads the summary restic 0.17 records', () => {
    const [s] = parseResticSnapshots(fixture('restic-0.17-snapshots.json'));
    expect(s!.totalBytesProcessed).toBe(1024 * 1024 * 1024);
    expect(s!.timeSeconds).toBe(Date.UTC(2025, 0, 10, 7, 0, 3) / 1000 + 0.5);
  });
  it('reads an empty repository as no snapshots', () => {
    expect(parseResticSnapshots('[]\n')).toEqual([]);
  });
  it('rejects what is not a snapshot list', () => {
    for (const bad of ['', 'Fatal: wrong password', '{}', '[1]', '[{"id":"x"}]', '[{"time":"soon"}]', '[{"time":"2024-03-01T09:00:00Z","tags":"a"}]']) {
      expect(() => parseResticSnapshots(bad), bad).toThrow(BackupParseError);
    }
  });
});

describe('countResticLocks', () => {
  it('counts lock IDs, one per line, and nothing else', () => {
    const id = (c: string) => c.repeat(64);
    expect(countResticLocks('')).toBe(0);
    expect(countResticLocks(`${id('a')}\n`)).toBe(1);
    expect(countResticLocks(`${id('a')}\n${id('0')}\nrepository 1234 opened\n${id('b').slice(1)}\n`)).toBe(2);
  });
});

describe('borg JSON', () => {
  it('reads borg 1.2 list output with naive times', () => {
    const archives = parseBorgList(fixture('borg-1.2-list.json'));
    expect(archives.map((a) => a.name)).toEqual(['one', 'two']);
    expect(archives[0]!.timeSeconds).toBe(Date.UTC(2024, 2, 1, 9, 0, 0) / 1000);
    expect(archives[1]!.timeSeconds).toBe(Date.UTC(2026, 10, 25, 9, 17, 7) / 1000 + 0.25);
  });
  it('reads the original size from borg info --last 1', () => {
    expect(parseBorgInfoOriginalSize(fixture('borg-1.2-info-last.json'))).toBe(6);
  });
  it('reads an empty repository as no archives', () => {
    expect(parseBorgList('{"archives":[],"encryption":{"mode":"none"}}')).toEqual([]);
  });
  it('rejects broken output', () => {
    for (const bad of ['', '[]', '{}', '{"archives":{}}', '{"archives":[{"name":"x"}]}', '{"archives":[{"name":"x","time":"now"}]}']) {
      expect(() => parseBorgList(bad), bad).toThrow(BackupParseError);
    }
    for (const bad of ['{"archives":[]}', '{"archives":[{"name":"x"}]}', '{"archives":[{"stats":{"original_size":-1}}]}']) {
      expect(() => parseBorgInfoOriginalSize(bad), bad).toThrow(BackupParseError);
    }
  });
});

describe('splitGlob', () => {
  it('keeps the literal directory apart from the pattern', () => {
    expect(splitGlob('/srv/dumps/gerrit-*.sql.gz')).toEqual({ base: '/srv/dumps', pattern: 'gerrit-*.sql.gz' });
    expect(splitGlob('/srv/*/daily/*.tar')).toEqual({ base: '/srv', pattern: '*/daily/*.tar' });
    expect(splitGlob('/srv/dumps/latest.sql')).toEqual({ base: '/srv/dumps', pattern: 'latest.sql' });
    expect(splitGlob('/x.tar')).toEqual({ base: '/', pattern: 'x.tar' });
  });
  it('rejects relative and empty globs', () => {
    expect(() => splitGlob('dumps/*.gz')).toThrow(GlobPatternError);
    expect(() => splitGlob('/')).toThrow(GlobPatternError);
  });
});

describe('tool failures', () => {
  // Messages as restic 0.14, borg 1.2.4 and git 2.39 print them on this machine.
  it.each([
    ['Fatal: wrong password or no key found\n', 'wrong password (no key opens the repository)'],
    ['Fatal: unable to open config file: stat /srv/nope/config: no such file or directory\nIs there a repository at the following location?\n/srv/nope\n', 'repository not found'],
    ['unable to create lock in backend: repository is already locked exclusively by PID 9909 on vm by root (UID 0, GID 0)\n', 'repository is locked'],
    ['passphrase supplied in BORG_PASSPHRASE, by BORG_PASSCOMMAND or via BORG_PASSPHRASE_FD is incorrect.\n', 'wrong passphrase'],
    ['Repository /srv/nob does not exist.\n', 'repository not found'],
    ['Failed to create/acquire the lock /srv/b/lock.exclusive (timeout).\n', 'repository is locked'],
    ['fatal: not a git repository (or any parent up to mount point /)\n', 'not a git repository'],
    ["fatal: your current branch 'master' does not have any commits yet\n", 'no commit at the configured ref'],
  ])('%j means %s', (stderr, reason) => {
    expect(describeToolFailure(stderr)).toBe(reason);
  });
  it('falls back to the last line of an unknown message', () => {
    expect(describeToolFailure('warming up\nsomething odd happened\n\n')).toBe('something odd happened');
    expect(describeToolFailure('')).toBe('no error message');
  });
  it('scrubs a secret', () => {
    expect(scrubSecret('key s3cr3t! rejected: s3cr3t!', 's3cr3t!')).toBe('key [redacted] rejected: [redacted]');
    expect(scrubSecret('nothing here', undefined)).toBe('nothing here');
  });
});

describe('parseGitInteger', () => {
  it('reads git output and refuses anything else', () => {
    expect(parseGitInteger('1709283600\n', 'x')).toBe(1709283600);
    expect(() => parseGitInteger('', 'x')).toThrow(BackupParseError);
    expect(() => parseGitInteger('-1\n', 'x')).toThrow(BackupParseError);
  });
});
