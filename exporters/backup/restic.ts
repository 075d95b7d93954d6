// Reads a restic repository's snapshot list: `restic snapshots --json --no-lock`, the
// metadata-only path (no check, no stats, no lock, restic's cache keeps it off the network).
import type { RunOptions } from '../../src/exec.js';
import { rootPath } from '../../src/paths.js';
import type { BackupSummary } from './backup-summary.js';
import { isLocalRepository, type ResticTarget } from './config.js';
import { BackupParseError } from './parse-error.js';
import type { ReadContext } from './read-context.js';
import { countResticLocks, parseResticSnapshots } from './restic-json.js';
import { BackupReadError, cleanEnv, runTool } from './run-tool.js';

// Inherited settings that would point restic at another repository or password.
const RESTIC_OVERRIDES = ['RESTIC_REPOSITORY', 'RESTIC_REPOSITORY_FILE', 'RESTIC_PASSWORD', 'RESTIC_PASSWORD_FILE', 'RESTIC_PASSWORD_COMMAND'];

export function resticRepository(t: ResticTarget, ctx: Pick<ReadContext, 'paths'>): string {
  return isLocalRepository(t.repository) ? rootPath(ctx.paths, t.repository) : t.repository;
}

export function resticArgs(t: ResticTarget): string[] {
  const args = ['snapshots', '--json', '--no-lock'];
  if (t.host) args.push('--host', t.host);
  if (t.path) args.push('--path', t.path);
  // One --tag with a comma list: a snapshot must carry every tag.
  if (t.tags && t.tags.length > 0) args.push('--tag', t.tags.join(','));
  return args;
}

function describeFilters(t: ResticTarget): string {
  const f = [t.host && `host ${t.host}`, t.path && `path ${t.path}`, t.tags?.length && `tags ${t.tags.join(',')}`].filter(Boolean);
  return f.length > 0 ? ` matching ${f.join(', ')}` : '';
}

/** How every restic run of a target is started: its repository, password file and cache, the read's deadline. */
export function resticOptions(t: ResticTarget, ctx: ReadContext): RunOptions {
  return {
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    // The password travels as a file name; restic reads the file itself.
    env: cleanEnv(RESTIC_OVERRIDES, {
      RESTIC_REPOSITORY: resticRepository(t, ctx),
      RESTIC_PASSWORD_FILE: t.password_file,
      RESTIC_CACHE_DIR: t.cache_dir,
    }),
  };
}

export async function readRestic(t: ResticTarget, ctx: ReadContext): Promise<BackupSummary> {
  const repository = resticRepository(t, ctx);
  const what = `restic snapshots of ${repository}`;
  const options = resticOptions(t, ctx);
  const { stdout } = await runTool({ program: t.program, args: resticArgs(t), what, options });
  // Listing the lock files is one small directory listing, and takes no lock itself.
  const locks = await runTool({ program: t.program, args: ['list', 'locks', '--no-lock'], what: `restic list locks of ${repository}`, options });
  let snapshots;
  try {
    snapshots = parseResticSnapshots(stdout);
  } catch (err) {
    if (err instanceof BackupParseError) throw new BackupReadError(`${what}: ${err.message}`);
    throw err;
  }
  if (snapshots.length === 0) throw new BackupReadError(`${what}: no snapshots${describeFilters(t)}`);
  const newest = snapshots.reduce((a, b) => (b.timeSeconds > a.timeSeconds ? b : a));
  return {
    newestSeconds: newest.timeSeconds,
    count: snapshots.length,
    ...(newest.totalBytesProcessed !== undefined ? { newestSizeBytes: newest.totalBytesProcessed } : {}),
    locks: countResticLocks(locks.stdout),
  };
}
