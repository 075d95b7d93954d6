// The integrity check of a target: restic check, borg check, git fsck. Lock-free (see
// repository-guard.ts); a nonzero exit, a timeout or a tool that cannot run is a failed check.
import { rootPath } from '../../src/paths.js';
import { borgCaller, borgRepository } from './borg.js';
import type { BackupTarget, BorgTarget, GitTarget, ResticTarget } from './config.js';
import { gitCaller } from './git.js';
import type { ReadContext } from './read-context.js';
import { borgState, guarded, resticState } from './repository-guard.js';
import { resticOptions, resticRepository } from './restic.js';
import { BackupReadError, runTool } from './run-tool.js';
import { failed, type TestOutcome } from './test-outcome.js';

/** The arguments of restic's check: never the exclusive lock restic 0.14 takes by default. */
export function resticCheckArgs(readDataSubset: string | undefined): string[] {
  return ['check', '--no-lock', ...(readDataSubset ? [`--read-data-subset=${readDataSubset}`] : [])];
}

export function borgCheckArgs(t: BorgTarget, repository: string): string[] {
  const scope = t.integrity_check?.scope === 'archives' ? ['--archives-only', '--last', '1', ...(t.archives ? ['--glob-archives', t.archives] : [])] : ['--repository-only'];
  return ['check', ...scope, '--bypass-lock', repository];
}

/** A thrown BackupReadError is the check's failure: its message already names the tool and the reason. */
async function passedUnlessThrows(run: () => Promise<unknown>): Promise<TestOutcome> {
  try {
    await run();
    return { kind: 'passed' };
  } catch (err) {
    if (err instanceof BackupReadError) return failed(err.message);
    throw err;
  }
}

function checkRestic(t: ResticTarget, ctx: ReadContext): Promise<TestOutcome> {
  const what = `restic check of ${resticRepository(t, ctx)}`;
  const args = resticCheckArgs(t.integrity_check?.read_data_subset);
  return guarded(
    () => resticState(t, ctx),
    () => passedUnlessThrows(() => runTool({ program: t.program, args, what, options: resticOptions(t, ctx) })),
  );
}

async function checkBorg(t: BorgTarget, ctx: ReadContext): Promise<TestOutcome> {
  const repository = borgRepository(t, ctx);
  const call = await borgCaller(t, ctx);
  return guarded(
    () => borgState(t, ctx),
    () => passedUnlessThrows(() => call(borgCheckArgs(t, repository), `borg check of ${repository}`)),
  );
}

function checkGit(t: GitTarget, ctx: ReadContext): Promise<TestOutcome> {
  // fsck takes no lock; objects a concurrent commit adds are simply new and valid.
  const run = gitCaller(t, ctx, `git fsck of ${rootPath(ctx.paths, t.path)}`);
  return passedUnlessThrows(() => run(['fsck', '--no-progress', '--no-dangling', '--full']));
}

export async function runIntegrityCheck(t: BackupTarget, ctx: ReadContext): Promise<TestOutcome> {
  try {
    switch (t.kind) {
      case 'restic':
        return await checkRestic(t, ctx);
      case 'borg':
        return await checkBorg(t, ctx);
      case 'git':
        return await checkGit(t, ctx);
      case 'files':
        return failed('files targets have no integrity check');
    }
  } catch (err) {
    // The repository's state could not be read (wrong password, missing repository...).
    if (err instanceof BackupReadError) return failed(err.message);
    throw err;
  }
}
