// The real `headroom serve` with a config file holding one target of each kind plus a failing
// one, the exporter running in a non-UTC zone: /metrics, the status page and the logs.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { parseMetricsText, valueOf, type ParsedSeries } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { promtoolCheckMetrics, runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-backup-cli-');
const RESTIC_SECRET = 'cli-restic-secret-Pq9';
const BORG_SECRET = 'cli-borg-secret-Lm5';
const WRONG = 'cli-wrong-passphrase-Zt2';

function must(r: { status: number | null; stderr: string }, what: string) {
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr}`);
}

// Chosen instants, written as the tools are given them.
const resticTime = Date.UTC(2024, 2, 2, 2 + 5, 0, 0) / 1000; // --time "2024-03-02 02:00:00" in New York (EST)
const borgTime = Date.UTC(2024, 2, 1, 9, 0, 0) / 1000; // --timestamp 2024-03-01T09:00:00 (UTC), borg run in Tokyo
const fileTime = Date.UTC(2024, 2, 3, 4, 5, 6) / 1000;
const commitTime = Date.UTC(2024, 2, 1, 0, 0, 0) / 1000; // 2024-03-01T09:00:00+09:00

let exporter: ExporterProcess | undefined;
// startExporterProcess registers its own afterAll, but one registered from inside beforeAll
// never runs (the exporter then outlives the test run): stop it here, at the top level.
afterAll(async () => {
  await exporter?.stop('SIGKILL');
});

beforeAll(async () => {
  const data = path.join(dir, 'data');
  mkdirSync(data);
  writeFileSync(path.join(data, 'f'), 'payload\n');
  writeFileSync(path.join(dir, 'restic.pass'), `${RESTIC_SECRET}\n`);
  writeFileSync(path.join(dir, 'borg.pass'), `${BORG_SECRET}\n`);
  writeFileSync(path.join(dir, 'wrong.pass'), `${WRONG}\n`);

  const resticEnv = { RESTIC_REPOSITORY: path.join(dir, 'restic'), RESTIC_PASSWORD_FILE: path.join(dir, 'restic.pass'), RESTIC_CACHE_DIR: path.join(dir, 'cache') };
  must(runTool('restic', ['init'], undefined, resticEnv), 'restic init');
  must(runTool('restic', ['backup', '--time', '2024-03-02 02:00:00', data], undefined, { ...resticEnv, TZ: 'America/New_York' }), 'restic backup');

  const borgEnv = { BORG_BASE_DIR: path.join(dir, 'borg-home'), BORG_PASSPHRASE: BORG_SECRET, TZ: 'Asia/Tokyo' };
  must(runTool('borg', ['init', '--encryption=repokey', path.join(dir, 'borg')], undefined, borgEnv), 'borg init');
  must(runTool('borg', ['create', '--timestamp', '2024-03-01T09:00:00', `${path.join(dir, 'borg')}::wiki-1`, data], undefined, borgEnv), 'borg create');

  mkdirSync(path.join(dir, 'dumps'));
  writeFileSync(path.join(dir, 'dumps', 'gerrit-1.sql.gz'), 'z'.repeat(321));
  utimesSync(path.join(dir, 'dumps', 'gerrit-1.sql.gz'), fileTime, fileTime);

  const etc = path.join(dir, 'etc');
  mkdirSync(etc);
  const gitEnv = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_COMMITTER_DATE: '2024-03-01T09:00:00+09:00' };
  must(runTool('git', ['-C', etc, 'init', '-q'], undefined, gitEnv), 'git init');
  must(runTool('git', ['-C', etc, 'commit', '-q', '--allow-empty', '-m', 'etckeeper'], undefined, gitEnv), 'git commit');

  // Relative paths: resolved from the config file's directory.
  writeFileSync(
    path.join(dir, 'headroom.yml'),
    `collectors:
  backup:
    targets:
      - { name: bugzilla, kind: restic, repository: restic, password_file: restic.pass, cache_dir: cache, max_age: 26h, schedule: 15m }
      - { name: wiki, kind: borg, repository: borg, passphrase_file: borg.pass, base_dir: borg-exporter-home, max_age: 2d }
      - { name: wiki-wrong, kind: borg, repository: borg, passphrase_file: wrong.pass, base_dir: borg-exporter-home, max_age: 2d }
      - { name: gerrit-dumps, kind: files, path: "dumps/gerrit-*.sql.gz", max_age: 26h }
      - { name: etc, kind: git, path: etc, max_age: 1d }
`,
  );
  exporter = await startExporterProcess(['--config', path.join(dir, 'headroom.yml')], { TZ: 'America/Los_Angeles' });
});

describe('headroom serve with backup targets', () => {
  const targets = ['bugzilla', 'wiki', 'wiki-wrong', 'gerrit-dumps', 'etc'];
  let text = '';
  let series: ParsedSeries[] = [];

  it('serves every target after its first background read', async () => {
    await waitFor(async () => {
      text = await (await fetch(`${exporter!.url}/metrics`)).text();
      series = parseMetricsText(text);
      return targets.every((t) => valueOf(series, 'headroom_collector_source_up', { collector: 'backup', source: t }) !== undefined) ? true : undefined;
    }, 'every target read once');

    expect(valueOf(series, 'headroom_backup_last_success_timestamp_seconds', { target: 'bugzilla', kind: 'restic' })).toBe(resticTime);
    expect(valueOf(series, 'headroom_backup_last_success_timestamp_seconds', { target: 'wiki', kind: 'borg' })).toBe(borgTime);
    expect(valueOf(series, 'headroom_backup_last_success_timestamp_seconds', { target: 'gerrit-dumps', kind: 'files' })).toBe(fileTime);
    expect(valueOf(series, 'headroom_backup_newest_size_bytes', { target: 'gerrit-dumps' })).toBe(321);
    expect(valueOf(series, 'headroom_backup_last_success_timestamp_seconds', { target: 'etc', kind: 'git' })).toBe(commitTime);
    for (const t of ['bugzilla', 'wiki', 'gerrit-dumps', 'etc']) {
      expect(valueOf(series, 'headroom_collector_source_up', { collector: 'backup', source: t }), t).toBe(1);
      expect(valueOf(series, 'headroom_backup_snapshots', { target: t }), t).toBe(1);
    }
    expect(valueOf(series, 'headroom_backup_max_age_seconds', { target: 'bugzilla' })).toBe(26 * 3600);
    expect(valueOf(series, 'headroom_backup_max_age_seconds', { target: 'wiki' })).toBe(2 * 86400);
    expect(valueOf(series, 'headroom_backup_max_age_seconds', { target: 'etc' })).toBe(86400);

    // The failing target: check 0, its objective present, no timestamp, and the collector says so.
    expect(valueOf(series, 'headroom_collector_source_up', { collector: 'backup', source: 'wiki-wrong' })).toBe(0);
    expect(valueOf(series, 'headroom_backup_max_age_seconds', { target: 'wiki-wrong' })).toBe(2 * 86400);
    expect(valueOf(series, 'headroom_backup_last_success_timestamp_seconds', { target: 'wiki-wrong' })).toBeUndefined();
    expect(valueOf(series, 'headroom_collector_success', { collector: 'backup' })).toBe(0);
    expect(text).toMatch(/# HELP headroom_backup_last_success_timestamp_seconds .*background/);
  });

  it('passes promtool check metrics', () => {
    expect(text).toContain('headroom_backup_snapshots');
    const r = promtoolCheckMetrics(text);
    expect(r.stdout + r.stderr).not.toMatch(/headroom_backup/);
  });

  it('names the failing target and its reason in the log and on the status page, never a secret', async () => {
    const logLine = await waitFor(() => exporter!.logs.find((l) => l.includes('"source":"wiki-wrong"') && l.includes('wrong passphrase')), 'the failure log line');
    expect(logLine).toContain('"collector":"backup"');
    const page = await (await fetch(`${exporter!.url}/`)).text();
    expect(page).toContain('wiki-wrong');
    expect(page).toMatch(/wrong passphrase/);
    const everything = exporter!.logs.join('\n') + page + text;
    for (const secret of [RESTIC_SECRET, BORG_SECRET, WRONG]) expect(everything).not.toContain(secret);
  });
});
