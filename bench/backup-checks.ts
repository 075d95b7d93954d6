// How long headroom's slow backup tests take on a big repository: builds a restic and a borg
// repository of DATA_MIB MiB of incompressible data and SNAPSHOTS snapshots/archives (the first
// holds the data, the others a small changing file), then times, through headroom's own code,
// the metadata read, the integrity checks and a restore test of a 1 MiB path. Each timing is
// one run on whatever else the machine does: report it with the machine's load.
//
//   node dist/bench/backup-checks.js [DATA_MIB] [SNAPSHOTS]     (default 1024 and 10000)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BackupTarget } from '../exporters/backup/config.js';
import { backupConfigSchema } from '../exporters/backup/schema.js';
import { runIntegrityCheck } from '../exporters/backup/integrity-check.js';
import type { ReadContext } from '../exporters/backup/read-context.js';
import { runRestoreTest } from '../exporters/backup/restore-test.js';
import { readBorg } from '../exporters/backup/borg.js';
import { readRestic } from '../exporters/backup/restic.js';
import { defaultHostPaths } from '../src/paths.js';

const dataMiB = Number(process.argv[2] ?? 1024);
const snapshots = Number(process.argv[3] ?? 10_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-backup-'));

function tool(program: string, args: string[], env: NodeJS.ProcessEnv, cwd = dir): void {
  const r = spawnSync(program, args, { env: { ...process.env, ...env }, cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')}: ${r.stderr}`);
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<void> {
  const t0 = performance.now();
  const out = await fn();
  const s = (performance.now() - t0) / 1000;
  const kind = typeof out === 'object' && out !== null && 'kind' in out ? ` (${String((out as { kind: string }).kind)})` : '';
  console.log(`${what.padEnd(48)} ${s.toFixed(1).padStart(8)} s${kind}`);
}

async function main(): Promise<void> {
  const data = path.join(dir, 'data');
  mkdirSync(path.join(data, 'small'), { recursive: true });
  for (let i = 0; i < dataMiB / 64; i++) writeFileSync(path.join(data, `blob${i}.bin`), randomBytes(64 * 2 ** 20));
  writeFileSync(path.join(data, 'small', 'one-mib.bin'), randomBytes(2 ** 20));
  const pass = path.join(dir, 'pass');
  writeFileSync(pass, 'bench\n');
  const resticEnv = { RESTIC_REPOSITORY: path.join(dir, 'restic'), RESTIC_PASSWORD_FILE: pass, RESTIC_CACHE_DIR: path.join(dir, 'cache') };
  const borgEnv = { BORG_PASSPHRASE: 'bench', BORG_BASE_DIR: path.join(dir, 'borg-base') };
  const borgRepo = path.join(dir, 'borg');

  const t0 = performance.now();
  tool('restic', ['init'], resticEnv);
  tool('borg', ['init', '-e', 'repokey', borgRepo], borgEnv);
  tool('restic', ['backup', '--host', 'bench', 'data'], resticEnv);
  tool('borg', ['create', `${borgRepo}::a0`, 'data'], borgEnv);
  for (let i = 1; i < snapshots; i++) {
    writeFileSync(path.join(dir, 'tick.txt'), String(i));
    tool('restic', ['backup', '--host', 'bench', 'tick.txt'], resticEnv);
    tool('borg', ['create', `${borgRepo}::a${i}`, 'tick.txt'], borgEnv);
  }
  console.log(`built ${dataMiB} MiB, ${snapshots} snapshots/archives per tool in ${((performance.now() - t0) / 1000).toFixed(0)} s; load ${os.loadavg()[0]!.toFixed(1)}`);

  // The newest snapshot holds tick.txt only: restore tests read the first, full one through a filter.
  // restic 0.14 stores a relative backup's tree under /data (the paths field says the absolute one).
  const { targets } = backupConfigSchema({ baseDir: dir }).parse({
    targets: [
      { name: 'r', kind: 'restic', repository: resticEnv.RESTIC_REPOSITORY, password_file: pass, cache_dir: resticEnv.RESTIC_CACHE_DIR, max_age: '1d', path: `${dir}/data`, integrity_check: {}, restore_test: { path: '/data/small' } },
      { name: 'r5', kind: 'restic', repository: resticEnv.RESTIC_REPOSITORY, password_file: pass, cache_dir: resticEnv.RESTIC_CACHE_DIR, max_age: '1d', integrity_check: { read_data_subset: '5%' } },
      { name: 'b', kind: 'borg', repository: borgRepo, passphrase_file: pass, base_dir: path.join(dir, 'headroom-borg'), max_age: '1d', archives: 'a0', integrity_check: {}, restore_test: { path: 'data/small' } },
      { name: 'ba', kind: 'borg', repository: borgRepo, passphrase_file: pass, base_dir: path.join(dir, 'headroom-borg'), max_age: '1d', integrity_check: { scope: 'archives' } },
    ],
  });
  const ctx: ReadContext = { paths: defaultHostPaths, signal: new AbortController().signal, timeoutMs: 6 * 3600_000 };
  const byName = (n: string) => targets.find((t) => t.name === n) as BackupTarget;
  const r = byName('r');
  const b = byName('b');
  if (r.kind !== 'restic' || b.kind !== 'borg') throw new Error('bench targets');
  await timed('restic metadata read (snapshots, locks)', () => readRestic({ ...r, path: undefined }, ctx));
  await timed('restic check --no-lock', () => runIntegrityCheck(r, ctx));
  await timed('restic check --no-lock --read-data-subset=5%', () => runIntegrityCheck(byName('r5'), ctx));
  await timed('restic restore test (1 MiB)', () => runRestoreTest(r, ctx));
  await timed('borg metadata read (list)', () => readBorg({ ...b, archives: undefined }, ctx));
  await timed('borg check --repository-only', () => runIntegrityCheck(b, ctx));
  await timed('borg check --archives-only --last 1', () => runIntegrityCheck(byName('ba'), ctx));
  await timed('borg restore test (1 MiB)', () => runRestoreTest(b, ctx));
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
