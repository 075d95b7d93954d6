// `borg list --json` and `borg info --json` output to plain data. Pure.
import { BackupParseError } from './parse-error.js';
import { parseIsoSeconds } from './timestamps.js';

export interface BorgArchive {
  readonly name: string;
  /** From borg's naive `time`, read as UTC: headroom runs borg with TZ=UTC. */
  readonly timeSeconds: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(text: string, what: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BackupParseError(`${what} output is not JSON: ${JSON.stringify(text.trim().slice(0, 80))}`);
  }
  if (!isRecord(doc)) throw new BackupParseError(`${what} output is not a JSON object`);
  return doc;
}

function archivesOf(doc: Record<string, unknown>, what: string): Record<string, unknown>[] {
  const archives = doc.archives;
  if (!Array.isArray(archives)) throw new BackupParseError(`${what} output has no "archives" list`);
  return archives.map((a, i) => {
    if (!isRecord(a)) throw new BackupParseError(`${what} archive #${i} is not an object`);
    return a;
  });
}

/** Archives from `borg list --json` (borg 1.2: name, time, start, id; no hostname or tags). */
export function parseBorgList(text: string): BorgArchive[] {
  return archivesOf(parseJson(text, 'borg list'), 'borg list').map((a, i) => {
    // `time` is an alias of `start`; either will do.
    const time = typeof a.time === 'string' ? a.time : a.start;
    if (typeof time !== 'string') throw new BackupParseError(`borg list archive #${i} has no time`);
    return { name: typeof a.name === 'string' ? a.name : '', timeSeconds: parseIsoSeconds(time) };
  });
}

/** Original size of the (single) archive `borg info --json --last 1` describes. */
export function parseBorgInfoOriginalSize(text: string): number {
  const archives = archivesOf(parseJson(text, 'borg info'), 'borg info');
  const last = archives[archives.length - 1];
  if (!last) throw new BackupParseError('borg info output lists no archive');
  const stats = last.stats;
  const size = isRecord(stats) ? stats.original_size : undefined;
  if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) {
    throw new BackupParseError('borg info archive has no stats.original_size');
  }
  return size;
}
