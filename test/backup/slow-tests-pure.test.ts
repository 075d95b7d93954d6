// The pure parts of the integrity checks and restore tests: when a test is due (back-off after
// skips), when a failure is believed, how tool listings parse and how a restored copy compares.
import { describe, expect, it } from 'vitest';
import { afterRun, afterSkip, initialCadence, isDue, retryDelayMs } from '../../exporters/backup/cadence.js';
import { guarded, type RepositoryState } from '../../exporters/backup/repository-guard.js';
import { compareRestored, parseBorgListLines, parseResticLs } from '../../exporters/backup/restore-listing.js';
import { failed, type TestOutcome } from '../../exporters/backup/test-outcome.js';

const H = 3600_000;
const WEEK = 7 * 24 * H;

describe('cadence', () => {
  it('runs at once, then once per interval', () => {
    expect(isDue(initialCadence, 0, WEEK)).toBe(true);
    const ran = afterRun(1000);
    expect(isDue(ran, 1000 + WEEK - 1, WEEK)).toBe(false);
    expect(isDue(ran, 1000 + WEEK, WEEK)).toBe(true);
  });

  it('backs off after skips: 10m, 20m, 40m..., never beyond the interval', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, WEEK) / 60_000)).toEqual([10, 20, 40, 80]);
    expect(retryDelayMs(30, WEEK)).toBe(WEEK);
    let s = afterSkip(initialCadence, 0);
    expect(isDue(s, 10 * 60_000 - 1, WEEK)).toBe(false);
    expect(isDue(s, 10 * 60_000, WEEK)).toBe(true);
    s = afterSkip(s, 10 * 60_000);
    expect(isDue(s, 10 * 60_000 + 20 * 60_000 - 1, WEEK)).toBe(false);
    expect(isDue(s, 30 * 60_000, WEEK)).toBe(true);
    // A run resets the back-off.
    expect(afterRun(5).skipsInARow).toBe(0);
  });
});

describe('guarded', () => {
  const states = (...seq: RepositoryState[]) => {
    let i = 0;
    return () => Promise.resolve(seq[Math.min(i++, seq.length - 1)]!);
  };
  const calm: RepositoryState = { locks: 0, fingerprint: 'a' };
  const failing = (): Promise<TestOutcome> => Promise.resolve(failed('bad pack'));

  it('skips without running the test when a lock is held', async () => {
    let ran = false;
    const out = await guarded(states({ locks: 1, fingerprint: 'a' }), () => {
      ran = true;
      return Promise.resolve({ kind: 'passed' });
    });
    expect(out.kind).toBe('skipped');
    expect(ran).toBe(false);
  });

  it('believes a failure on an unchanged repository only', async () => {
    expect((await guarded(states(calm, calm), failing)).kind).toBe('failed');
    expect((await guarded(states(calm, { locks: 0, fingerprint: 'b' }), failing)).kind).toBe('skipped');
    expect((await guarded(states(calm, { locks: 1, fingerprint: 'a' }), failing)).kind).toBe('skipped');
    expect((await guarded(states(calm, { locks: undefined, fingerprint: 'a' }), failing)).kind).toBe('failed');
  });
});

describe('restore listings', () => {
  // Captured from restic 0.14 (`ls --json --recursive <id> /srv`) and borg 1.2 (`list --json-lines --format {size}{sha256}`).
  const resticLs = [
    '{"time":"2026-12-04T16:26:28Z","tree":"dd","paths":["/srv"],"hostname":"vm","id":"9af9","short_id":"9af9","struct_type":"snapshot"}',
    '{"name":"etc","type":"dir","path":"/srv/etc","size":0,"struct_type":"node"}',
    '{"name":"hostname","type":"file","path":"/srv/etc/hostname","size":6,"struct_type":"node"}',
    '{"name":"etc.old","type":"file","path":"/srv/etc.old","size":9,"struct_type":"node"}',
    '{"name":"link","type":"symlink","path":"/srv/etc/link","struct_type":"node"}',
  ].join('\n');
  const borgLines = [
    '{"type": "d", "path": "data/etc", "size": 0, "sha256": ""}',
    '{"type": "-", "path": "data/etc/hostname", "size": 6, "sha256": "3b6ded622fe5cebc3fba0efce9cb954b606891ad7cd14562690441564a1bd347"}',
    '{"type": "-", "path": "data/etcetera", "size": 2, "sha256": "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4"}',
  ].join('\n');

  it('keeps the regular files at or below the path, not its namesakes', () => {
    expect(parseResticLs(resticLs, 'srv/etc')).toEqual([{ path: 'srv/etc/hostname', size: 6 }]);
    expect(parseBorgListLines(borgLines, 'data/etc')).toEqual([
      { path: 'data/etc/hostname', size: 6, sha256: '3b6ded622fe5cebc3fba0efce9cb954b606891ad7cd14562690441564a1bd347' },
    ]);
  });

  it('refuses lines that are not JSON objects', () => {
    expect(() => parseResticLs('{"struct_type":"node"}\nnot json', 'x')).toThrow(/line 2 is not JSON/);
  });

  it('names each difference: size, content, missing, extra', () => {
    const listed = [
      { path: 'a', size: 3, sha256: 'x'.repeat(64) },
      { path: 'b', size: 5 },
      { path: 'c', size: 1 },
    ];
    const restored = new Map([
      ['a', { size: 3, sha256: 'y'.repeat(64) }],
      ['b', { size: 4 }],
      ['d', { size: 1 }],
    ]);
    expect(compareRestored(listed, restored)).toEqual([
      "a: content differs from the backup's SHA-256",
      'b: restored 4 bytes, the backup lists 5',
      'c: not restored',
      'd: restored but not listed',
    ]);
    expect(compareRestored([{ path: 'a', size: 1 }], new Map([['a', { size: 1 }]]))).toEqual([]);
  });
});
