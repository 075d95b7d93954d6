// Reads a borg repository's archive list: `borg list --json --bypass-lock`, which reads only
// the manifest and never waits for (or takes) the lock a running `borg create` holds.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RunOptions, RunResult } from '../../src/exec.js';
import { rootPath } from '../../src/paths.js';
import { MAX_SECRET_BYTES, readRegularFile, UnreadableFileError } from '../../src/safe-file.js';
import type { BackupSummary } from './backup-summary.js';
import { parseBorgInfoOriginalSize, parseBorgList } from './borg-json.js';
import { isLocalRepository, type BorgTarget } from './config.js';
import { BackupParseError } from './parse-error.js';
import type { ReadContext } from './read-context.js';
import { BackupReadError, cleanEnv, runTool } from './run-tool.js';

// Inherited settings that would point borg at another repository or passphrase.
const BORG_OVERRIDES = ['BORG_REPO', 'BORG_PASSPHRASE', 'BORG_PASSCOMMAND', 'BORG_PASSPHRASE_FD', 'BORG_NEW_PASSPHRASE'];

export function borgRepository(t: BorgTarget, ctx: Pick<ReadContext, 'paths'>): string {
  return isLocalRepository(t.repository) ? rootPath(ctx.paths, t.repository) : t.repository;
}

/** borg's own passphrase handling strips trailing newlines the same way (BORG_PASSPHRASE_FD). */
async function readPassphrase(file: string, what: string): Promise<string> {
  try {
    return (await readRegularFile(file, MAX_SECRET_BYTES)).toString('utf8').replace(/\n+$/, '');
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    throw new BackupReadError(`${what}: cannot read passphrase file: ${err.message}`);
  }
}

/** Runs borg on a target: `call(args, what)`; extra run options (cwd, for extract) per call. */
export type BorgCall = (args: string[], what: string, extra?: Partial<RunOptions>) => Promise<RunResult>;

export async function borgCaller(t: BorgTarget, ctx: ReadContext): Promise<BorgCall> {
  const repository = borgRepository(t, ctx);
  const passphrase = t.passphrase_file === undefined ? undefined : await readPassphrase(t.passphrase_file, `borg on ${repository}`);
  const env = cleanEnv(BORG_OVERRIDES, {
    // borg prints archive times as naive local time of the process that reads them: make that
    // UTC, whatever the exporter's zone and whichever zone the archive was created in.
    TZ: 'UTC',
    // The passphrase goes through stdin (fd 0): never on a command line, never in the environment.
    // Without a passphrase file an empty one makes an encrypted repository fail at once.
    ...(passphrase === undefined ? { BORG_PASSPHRASE: '' } : { BORG_PASSPHRASE_FD: '0' }),
    BORG_BASE_DIR: t.base_dir,
    // Nobody can answer borg's questions: read-only listing is safe to let through.
    BORG_RELOCATED_REPO_ACCESS_IS_OK: 'yes',
    BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
    BORG_DISPLAY_PASSPHRASE: 'no',
  });
  return (args, whatNow, extra = {}) =>
    runTool({
      program: t.program,
      args,
      what: whatNow,
      secret: passphrase,
      options: { timeoutMs: ctx.timeoutMs, signal: ctx.signal, env, ...extra, ...(passphrase === undefined ? {} : { input: passphrase }) },
    });
}

/** 1 while borg's exclusive lock (a directory) exists in a local repository; undefined for a remote one (that would need ssh). */
export function borgLocalLocks(t: BorgTarget, repository: string): number | undefined {
  return isLocalRepository(t.repository) ? (existsSync(path.join(repository, 'lock.exclusive')) ? 1 : 0) : undefined;
}

export async function readBorg(t: BorgTarget, ctx: ReadContext): Promise<BackupSummary> {
  const repository = borgRepository(t, ctx);
  const what = `borg list of ${repository}`;
  const call = await borgCaller(t, ctx);
  const filter = t.archives ? ['--glob-archives', t.archives] : [];
  const listed = await call(['list', '--json', '--bypass-lock', ...filter, repository], what);
  let archives;
  try {
    archives = parseBorgList(listed.stdout);
  } catch (err) {
    if (err instanceof BackupParseError) throw new BackupReadError(`${what}: ${err.message}`);
    throw err;
  }
  if (archives.length === 0) {
    throw new BackupReadError(`${what}: no archives${t.archives ? ` matching ${t.archives}` : ''}`);
  }
  const newest = archives.reduce((a, b) => (b.timeSeconds > a.timeSeconds ? b : a));
  const lockCount = borgLocalLocks(t, repository);
  const locks = lockCount === undefined ? {} : { locks: lockCount };
  if (!t.size) return { newestSeconds: newest.timeSeconds, count: archives.length, ...locks };

  const infoWhat = `borg info of ${repository}`;
  const info = await call(['info', '--json', '--bypass-lock', '--last', '1', ...filter, repository], infoWhat);
  try {
    return { newestSeconds: newest.timeSeconds, count: archives.length, newestSizeBytes: parseBorgInfoOriginalSize(info.stdout), ...locks };
  } catch (err) {
    if (err instanceof BackupParseError) throw new BackupReadError(`${infoWhat}: ${err.message}`);
    throw err;
  }
}
