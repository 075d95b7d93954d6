// `restic snapshots --json` output to plain data. Pure.
import { BackupParseError } from './parse-error.js';
import { parseIsoSeconds } from './timestamps.js';

export interface ResticSnapshot {
  readonly id: string;
  readonly timeSeconds: number;
  readonly hostname: string;
  /** restic leaves `tags` out when a snapshot has none. */
  readonly tags: readonly string[];
  readonly paths: readonly string[];
  /** summary.total_bytes_processed: only restic 0.17+ records a summary. */
  readonly totalBytesProcessed?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new BackupParseError(`${what} is not a list of strings`);
  return v as string[];
}

/** Parses the JSON array restic 0.14+ prints for `snapshots --json` (one line, possibly `[]`). */
export function parseResticSnapshots(text: string): ResticSnapshot[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BackupParseError(`restic snapshots output is not JSON: ${JSON.stringify(text.trim().slice(0, 80))}`);
  }
  if (!Array.isArray(doc)) throw new BackupParseError('restic snapshots output is not a JSON array');
  return doc.map((raw, i): ResticSnapshot => {
    if (!isRecord(raw)) throw new BackupParseError(`snapshot #${i} is not an object`);
    if (typeof raw.time !== 'string') throw new BackupParseError(`snapshot #${i} has no time`);
    const summary = raw.summary;
    const processed = isRecord(summary) ? summary.total_bytes_processed : undefined;
    return {
      id: typeof raw.id === 'string' ? raw.id : '',
      timeSeconds: parseIsoSeconds(raw.time),
      hostname: typeof raw.hostname === 'string' ? raw.hostname : '',
      tags: stringList(raw.tags, `snapshot #${i} tags`),
      paths: stringList(raw.paths, `snapshot #${i} paths`),
      ...(typeof processed === 'number' && Number.isFinite(processed) && processed >= 0 ? { totalBytesProcessed: processed } : {}),
    };
  });
}

/** Lock IDs in `restic list locks` output: one 64-hex-digit ID per line (anything else is ignored). */
export function countResticLocks(stdout: string): number {
  return stdout.split('\n').filter((line) => /^[0-9a-f]{64}$/.test(line.trim())).length;
}
