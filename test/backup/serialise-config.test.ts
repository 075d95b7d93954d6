// One call per repository at a time, and the config section's validation.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupTiming } from '../../exporters/backup/config.js';
import { backupConfigSchema } from '../../exporters/backup/schema.js';
import { backupModule } from '../../exporters/backup/index.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { defaultHostPaths } from '../../src/paths.js';
import { PerKeySerialiser } from '../../exporters/backup/serialise.js';
import { tempDir } from '../support/tmp.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PerKeySerialiser', () => {
  it('starts a call on a repository only after the previous one on it settled; other repositories run freely', async () => {
    const s = new PerKeySerialiser();
    const signal = new AbortController().signal;
    const events: string[] = [];
    const gateA = deferred();
    const first = s.run('/srv/repo', signal, async () => {
      events.push('first start');
      await gateA.promise;
      events.push('first end');
    });
    const second = s.run('/srv/repo', signal, async () => {
      events.push('second start');
    });
    const other = s.run('/srv/other', signal, async () => {
      events.push('other start');
    });
    await other;
    expect(events).toEqual(['first start', 'other start']);
    gateA.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['first start', 'other start', 'first end', 'second start']);
  });

  it('a failing call releases the repository', async () => {
    const s = new PerKeySerialiser();
    const signal = new AbortController().signal;
    await expect(s.run('k', signal, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(s.run('k', signal, async () => 42)).resolves.toBe(42);
  });

  it('gives up waiting when aborted, without letting a later call overtake the running one', async () => {
    const s = new PerKeySerialiser();
    const gate = deferred();
    const events: string[] = [];
    const running = s.run('k', new AbortController().signal, async () => {
      await gate.promise;
      events.push('running end');
    });
    const waiting = new AbortController();
    const abandoned = s.run('k', waiting.signal, async () => events.push('abandoned ran'));
    const later = s.run('k', new AbortController().signal, async () => events.push('later ran'));
    waiting.abort();
    await expect(abandoned).rejects.toThrow(/aborted while waiting/);
    expect(events).toEqual([]);
    gate.resolve();
    await Promise.all([running, later]);
    expect(events).toEqual(['running end', 'later ran']);
  });
});

describe('backup config', () => {
  const dir = tempDir('headroom-backup-config-');
  const pass = path.join(dir, 'p');
  writeFileSync(pass, 'x\n');
  const schema = backupConfigSchema({ baseDir: dir });
  const messages = (input: unknown) => {
    const r = schema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('fills defaults: 15m schedule, 2m timeout; resolves relative paths from the config directory', async () => {
    const c = schema.parse({
      targets: [
        { name: 'bz', kind: 'restic', repository: 'backups/bz', password_file: 'p', max_age: '26h' },
        { name: 'remote', kind: 'restic', repository: 'sftp:backup@host:/srv/bz', password_file: pass, max_age: '26h' },
        { name: 'etc', kind: 'git', path: '/etc', max_age: '1d' },
      ],
    });
    const [bz, remote, etc] = c.targets;
    expect(bz!.schedule).toEqual({ kind: 'interval', ms: 15 * 60 * 1000 });
    expect(backupTiming.resolve(bz!).timeoutMs).toBe(2 * 60 * 1000);
    expect(bz!.max_age).toBe(26 * 3600 * 1000);
    expect(bz!.kind === 'restic' && bz!.repository).toBe(path.join(dir, 'backups/bz'));
    expect(bz!.kind === 'restic' && bz!.password_file).toBe(pass);
    expect(remote!.kind === 'restic' && remote!.repository).toBe('sftp:backup@host:/srv/bz');
    expect(etc!.kind === 'git' && etc!.ref).toBe('HEAD');
  });

  it('rejects a misspelt key with a suggestion', async () => {
    expect(messages({ targets: [{ name: 'w', kind: 'borg', repository: '/r', passphrase_fiel: pass, max_age: '1d' }] }).join('\n')).toMatch(
      /unknown key "passphrase_fiel" \(did you mean "passphrase_file"\?\)/,
    );
  });

  it('rejects an unknown kind, a missing max_age, a duplicate name, a missing secret file and a timeout longer than the schedule', async () => {
    expect(messages({ targets: [{ name: 'a', kind: 'tar', path: '/x', max_age: '1d' }] }).join('\n')).toMatch(/kind must be one of restic, borg, files, git/);
    expect(messages({ targets: [{ name: 'a', kind: 'files', path: '/x/*' }] }).join('\n')).toMatch(/targets\.0\.max_age/);
    expect(
      messages({
        targets: [
          { name: 'a', kind: 'files', path: '/x/*', max_age: '1d' },
          { name: 'a', kind: 'git', path: '/etc', max_age: '1d' },
        ],
      }).join('\n'),
    ).toMatch(/targets\.1\.name: target name "a" is used twice/);
    expect(messages({ targets: [{ name: 'a', kind: 'restic', repository: '/r', password_file: path.join(dir, 'nope'), max_age: '1d' }] }).join('\n')).toMatch(
      /secret file .*nope does not exist/,
    );
    expect(messages({ targets: [{ name: 'a', kind: 'git', path: '/etc', max_age: '1d', schedule: '1m', timeout: '5m' }] }).join('\n')).toMatch(
      /targets\.0\.timeout: timeout is longer than the schedule's interval \(60s\)/,
    );
    expect(messages({ targets: [{ name: 'a b', kind: 'git', path: '/etc', max_age: '1d' }] }).join('\n')).toMatch(/targets\.0\.name/);
    expect(messages({ targets: [] }).join('\n')).toMatch(/at least one backup target/);
  });

  it('takes a short schedule without a timeout, as a new user writes it: the default timeout is cut to the schedule', async () => {
    const [t] = schema.parse({ targets: [{ name: 'a', kind: 'git', path: '/etc', max_age: '1d', schedule: '30s' }] }).targets;
    expect(backupTiming.resolve(t!)).toEqual({ schedule: { kind: 'interval', ms: 30_000 }, timeoutMs: 30_000 });
    // A cron schedule has no interval to cut to: the default stays.
    const [c] = schema.parse({ targets: [{ name: 'c', kind: 'git', path: '/etc', max_age: '1d', schedule: '*/5 * * * *' }] }).targets;
    expect(backupTiming.resolve(c!).timeoutMs).toBe(2 * 60 * 1000);
  });

  it('loads the issue\'s config file (schedule: 30s, no timeout) and builds a 30s source from it', async () => {
    const file = path.join(dir, 'new-user.yml');
    writeFileSync(file, 'collectors:\n  backup:\n    targets:\n      - { name: etc, kind: git, path: /etc, max_age: 1d, schedule: 30s }\n');
    const config = await loadConfig(file, [backupModule]);
    const collector = await backupModule.create(config.collectors.get('backup') as never, { paths: defaultHostPaths, log: silentLogger() });
    expect(collector.sources.map((s) => [s.id, s.schedule, s.timeoutMs])).toEqual([['etc', { kind: 'interval', ms: 30_000 }, 30_000]]);
  });
});
