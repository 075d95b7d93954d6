// Reads a glob of backup files (dumps, rsync'd archives): how many match and the newest mtime.
import { stat } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import { splitGlob } from '../../src/glob.js';
import { rootPath } from '../../src/paths.js';
import type { BackupSummary } from './backup-summary.js';
import type { FilesTarget } from './config.js';
import type { ReadContext } from './read-context.js';
import { BackupReadError } from './run-tool.js';

export async function readFiles(t: FilesTarget, ctx: ReadContext): Promise<BackupSummary> {
  const pattern = rootPath(ctx.paths, t.path);
  const { base, pattern: below } = splitGlob(pattern);
  try {
    const info = await stat(base);
    if (!info.isDirectory()) throw new BackupReadError(`files ${pattern}: ${base} is not a directory`);
  } catch (err) {
    if (err instanceof BackupReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new BackupReadError(`files ${pattern}: directory ${base} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`);
  }
  // The signal stops the directory walk and the stat loop alike: a timed-out refresh must not
  // go on stat-ing a huge tree in the background.
  const matches = await glob(below, {
    cwd: base,
    absolute: true,
    onlyFiles: true,
    dot: true,
    expandDirectories: false,
    followSymbolicLinks: true,
    signal: ctx.signal,
  });
  ctx.signal.throwIfAborted();

  let newest: { mtimeSeconds: number; size: number } | null = null;
  let count = 0;
  for (const file of matches) {
    ctx.signal.throwIfAborted();
    let info;
    try {
      info = await stat(file);
    } catch {
      continue; // rotated away between the glob and the stat
    }
    if (!info.isFile()) continue;
    count++;
    const mtimeSeconds = info.mtimeMs / 1000;
    if (!newest || mtimeSeconds > newest.mtimeSeconds) newest = { mtimeSeconds, size: info.size };
  }
  if (!newest) throw new BackupReadError(`files ${pattern}: no file matches`);
  return { newestSeconds: newest.mtimeSeconds, count, newestSizeBytes: newest.size };
}
