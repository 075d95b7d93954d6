// Keeps slow tests out of a running backup's way without ever taking, waiting for or breaking
// a lock. The test itself runs lock-free (restic --no-lock, borg --bypass-lock); around it:
// - a lock already held (a backup, prune or check is running) skips the attempt;
// - a failure is only believed when the repository is the same afterwards (no lock appeared,
//   same index files / archive list): otherwise it may be the running backup's or prune's
//   half-written state, and the attempt counts as skipped, to be retried after a back-off.
import { readdir } from 'node:fs/promises';
import type { BorgTarget, ResticTarget } from './config.js';
import { borgCaller, borgLocalLocks, borgRepository } from './borg.js';
import type { ReadContext } from './read-context.js';
import { countResticLocks } from './restic-json.js';
import { resticOptions } from './restic.js';
import { runTool } from './run-tool.js';
import { skipped, type TestOutcome } from './test-outcome.js';
import { isLocalRepository } from './config.js';

export interface RepositoryState {
  /** Locks held now; undefined where they cannot be seen (a remote borg repository). */
  readonly locks: number | undefined;
  /** Changes whenever a backup, prune or forget commits. */
  readonly fingerprint: string;
}

export async function resticState(t: ResticTarget, ctx: ReadContext): Promise<RepositoryState> {
  const options = resticOptions(t, ctx);
  const list = (what: string) => runTool({ program: t.program, args: ['list', what, '--no-lock'], what: `restic list ${what}`, options });
  const locks = countResticLocks((await list('locks')).stdout);
  const fingerprint = `${(await list('index')).stdout}\n${(await list('snapshots')).stdout}`;
  return { locks, fingerprint: fingerprint.split('\n').sort().join('\n') };
}

export async function borgState(t: BorgTarget, ctx: ReadContext): Promise<RepositoryState> {
  const repository = borgRepository(t, ctx);
  const call = await borgCaller(t, ctx);
  // The manifest (archive list) changes with every create, prune and delete...
  const archives = (await call(['list', '--short', '--bypass-lock', repository], `borg list of ${repository}`)).stdout;
  // ...and a local repository's index.N with every committed transaction (compact included).
  const indexes = isLocalRepository(t.repository) ? (await readdir(repository)).filter((f) => f.startsWith('index.')).sort().join(',') : '';
  return { locks: borgLocalLocks(t, repository), fingerprint: `${indexes}\n${archives}` };
}

/** Runs `test` only when the repository is unlocked, and believes a failure only if nothing changed meanwhile. */
export async function guarded(state: () => Promise<RepositoryState>, test: () => Promise<TestOutcome>): Promise<TestOutcome> {
  const before = await state();
  if (before.locks) return skipped(`repository is locked (${before.locks} lock(s)): a backup, prune or check is running; retried later`);
  const outcome = await test();
  if (outcome.kind !== 'failed') return outcome;
  const after = await state().catch(() => undefined);
  if (after === undefined || after.locks || after.fingerprint !== before.fingerprint) {
    return skipped(`repository was locked or changed while tested (${outcome.reason}); retried later`);
  }
  return outcome;
}
