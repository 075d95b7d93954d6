// Reads a git repository's last commit: the backup of etckeeper-style and rsync+git setups.
import path from 'node:path';
import type { RunResult } from '../../src/exec.js';
import { rootPath } from '../../src/paths.js';
import type { BackupSummary } from './backup-summary.js';
import type { GitTarget } from './config.js';
import { parseGitInteger } from './git-output.js';
import { BackupParseError } from './parse-error.js';
import type { ReadContext } from './read-context.js';
import { BackupReadError, cleanEnv, runTool } from './run-tool.js';

/** Runs git on a target's repository: no optional locks, no hooks, only the configured path trusted. */
export function gitCaller(t: GitTarget, ctx: ReadContext, what: string): (args: string[]) => Promise<RunResult> {
  const dir = rootPath(ctx.paths, t.path);
  const env = cleanEnv(['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE'], {
    LC_ALL: 'C', // stable messages to recognise
    GIT_OPTIONAL_LOCKS: '0', // never take the index lock a running etckeeper commit needs
    GIT_TERMINAL_PROMPT: '0',
    // A path that is not a repository must fail, not silently report a repository above it.
    GIT_CEILING_DIRECTORIES: path.dirname(dir),
  });
  // /etc belongs to root while the exporter may not, and a repository owned by another user is
  // refused ("dubious ownership"). Trusting exactly the configured path (not `*`) lets the
  // operator's choice through without trusting every repository git might stumble upon; the
  // commands below run no hooks, pagers or filters from the repository's config.
  const base = ['-C', dir, '-c', `safe.directory=${dir}`, '-c', 'core.fsmonitor=false'];
  return (args) => runTool({ program: t.program, args: [...base, ...args], what, options: { timeoutMs: ctx.timeoutMs, signal: ctx.signal, env } });
}

export async function readGit(t: GitTarget, ctx: ReadContext): Promise<BackupSummary> {
  const what = `git log of ${rootPath(ctx.paths, t.path)}`;
  const run = gitCaller(t, ctx, what);

  // `--end-of-options` keeps a ref from the config from being read as an option.
  const last = await run(['log', '-1', '--format=%ct', '--end-of-options', t.ref, '--']);
  const count = await run(['rev-list', '--count', '--end-of-options', t.ref, '--']);
  try {
    return {
      newestSeconds: parseGitInteger(last.stdout, `${what}: last commit time`),
      count: parseGitInteger(count.stdout, `${what}: commit count`),
    };
  } catch (err) {
    if (err instanceof BackupParseError) throw new BackupReadError(err.message);
    throw err;
  }
}
