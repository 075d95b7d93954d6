// The restore test: restore one small configured path of the newest snapshot/archive into a
// private temporary directory, compare it with what the backup lists (sizes; borg's SHA-256,
// restic's own --verify of the content against its blob hashes), then remove it. Refuses a
// path larger than max_size before restoring anything; lock-free like the checks.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { borgCaller, borgRepository } from './borg.js';
import { parseBorgList } from './borg-json.js';
import type { BackupTarget, BorgTarget, ResticTarget } from './config.js';
import { BackupParseError } from './parse-error.js';
import type { ReadContext } from './read-context.js';
import { borgState, guarded, resticState } from './repository-guard.js';
import { compareRestored, parseBorgListLines, parseResticLs, stripSlashes, type ListedFile } from './restore-listing.js';
import { parseResticSnapshots } from './restic-json.js';
import { resticArgs, resticOptions, resticRepository } from './restic.js';
import { BackupReadError, runTool } from './run-tool.js';
import { failed, type TestOutcome } from './test-outcome.js';

type RestoreSettings = NonNullable<ResticTarget['restore_test']>;

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file).on('data', (d) => hash.update(d)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

/** Regular files under `dir`, by path relative to it; symlinks are not followed. */
async function restoredFiles(dir: string): Promise<Map<string, { size: number; sha256: string }>> {
  const out = new Map<string, { size: number; sha256: string }>();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(r);
      else if (entry.isFile()) out.set(r, { size: (await lstat(path.join(dir, r))).size, sha256: await sha256File(path.join(dir, r)) });
    }
  };
  await walk('');
  return out;
}

/** Sizes first (nothing restored when too big), then restore, compare, and always remove the directory. */
async function restoreAndCompare(
  settings: RestoreSettings,
  listed: readonly ListedFile[],
  restore: (dir: string) => Promise<unknown>,
): Promise<TestOutcome> {
  if (listed.length === 0) return failed(`${settings.path}: no file at this path in the newest backup`);
  const total = listed.reduce((sum, f) => sum + f.size, 0);
  if (total > settings.max_size) return failed(`${settings.path} holds ${total} bytes, more than max_size (${settings.max_size}): choose a smaller path`);
  const dir = await mkdtemp(path.join(settings.temp_dir ?? os.tmpdir(), 'headroom-restore-'));
  try {
    await restore(dir);
    const problems = compareRestored(listed, await restoredFiles(dir));
    if (problems.length > 0) return failed(`restored copy differs: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`);
    return { kind: 'passed', restoredBytes: total };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parsed<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof BackupParseError) throw new BackupReadError(`${what}: ${err.message}`);
    throw err;
  }
}

async function restoreRestic(t: ResticTarget, settings: RestoreSettings, ctx: ReadContext): Promise<TestOutcome> {
  const repository = resticRepository(t, ctx);
  const options = resticOptions(t, ctx);
  const run = (args: string[], what: string) => runTool({ program: t.program, args, what: `${what} of ${repository}`, options });
  const snapshotsOut = await run(resticArgs(t), 'restic snapshots');
  const list = parsed('restic snapshots', () => parseResticSnapshots(snapshotsOut.stdout));
  if (list.length === 0) return failed('no snapshot to restore from');
  const newest = list.reduce((a, b) => (b.timeSeconds > a.timeSeconds ? b : a));
  const root = stripSlashes(settings.path);
  // ls filters by directory: list the path's parent, keep the path and what is below it.
  const parent = `/${path.posix.dirname(root) === '.' ? '' : path.posix.dirname(root)}`;
  const lsOut = await run(['ls', '--json', '--recursive', '--no-lock', newest.id, parent], 'restic ls');
  const listed = parsed('restic ls', () => parseResticLs(lsOut.stdout, root));
  // --verify re-reads the restored files and compares them with the snapshot's blob hashes.
  return restoreAndCompare(settings, listed, (dir) => run(['restore', newest.id, '--no-lock', '--target', dir, '--include', `/${root}`, '--verify'], 'restic restore'));
}

async function restoreBorg(t: BorgTarget, settings: RestoreSettings, ctx: ReadContext): Promise<TestOutcome> {
  const repository = borgRepository(t, ctx);
  const call = await borgCaller(t, ctx);
  const filter = t.archives ? ['--glob-archives', t.archives] : [];
  const archivesOut = await call(['list', '--json', '--bypass-lock', ...filter, repository], `borg list of ${repository}`);
  const list = parsed('borg list', () => parseBorgList(archivesOut.stdout));
  if (list.length === 0) return failed('no archive to restore from');
  const newest = list.reduce((a, b) => (b.timeSeconds > a.timeSeconds ? b : a));
  const archive = `${repository}::${newest.name}`;
  const root = stripSlashes(settings.path);
  const listedOut = await call(['list', '--json-lines', '--format', '{size}{sha256}', '--bypass-lock', archive, root], `borg list of ${archive}`);
  const listed = parsed('borg list', () => parseBorgListLines(listedOut.stdout, root));
  // borg extracts into its working directory: the private temporary one.
  return restoreAndCompare(settings, listed, (dir) => call(['extract', '--bypass-lock', archive, root], `borg extract of ${archive}`, { cwd: dir }));
}

export async function runRestoreTest(t: BackupTarget, ctx: ReadContext): Promise<TestOutcome> {
  try {
    if (t.kind === 'restic' && t.restore_test) {
      const settings = t.restore_test;
      return await guarded(() => resticState(t, ctx), () => restoreRestic(t, settings, ctx).catch(asFailure));
    }
    if (t.kind === 'borg' && t.restore_test) {
      const settings = t.restore_test;
      return await guarded(() => borgState(t, ctx), () => restoreBorg(t, settings, ctx).catch(asFailure));
    }
    return failed(`${t.kind} targets have no restore test`);
  } catch (err) {
    return asFailure(err);
  }
}

function asFailure(err: unknown): TestOutcome {
  if (err instanceof BackupReadError) return failed(err.message);
  const code = (err as NodeJS.ErrnoException).code;
  if (code) return failed(`restore test: ${(err as Error).message}`);
  throw err;
}
