// What a snapshot/archive says a path holds, and how a restored copy compares with it. Pure.
import { BackupParseError } from './parse-error.js';

export interface ListedFile {
  /** Relative to the restore root, without a leading slash: `etc/hostname`. */
  readonly path: string;
  readonly size: number;
  /** Hex SHA-256 of the content where the tool gives one (borg list {sha256}). */
  readonly sha256?: string;
}

function jsonLines(text: string, what: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new BackupParseError(`${what} line ${i + 1} is not JSON`);
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BackupParseError(`${what} line ${i + 1} is not a JSON object`);
      return v as Record<string, unknown>;
    });
}

/** Inside `root` (the path itself or below it). Both without leading slash. */
export function isWithin(p: string, root: string): boolean {
  return p === root || p.startsWith(`${root}/`);
}

export function stripSlashes(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/+$/, '');
}

function sizeOf(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new BackupParseError(`${what} has no size`);
  return v;
}

/** Regular files under `root` in `restic ls --json --recursive` output (0.14: the snapshot line, then one node per line). */
export function parseResticLs(text: string, root: string): ListedFile[] {
  return jsonLines(text, 'restic ls')
    .filter((n) => n.struct_type === 'node' && n.type === 'file' && typeof n.path === 'string' && isWithin(stripSlashes(n.path), root))
    .map((n) => ({ path: stripSlashes(n.path as string), size: sizeOf(n.size, `restic ls node ${String(n.path)}`) }));
}

/** Regular files in `borg list --json-lines --format {size}{sha256}` output (type "-"; the format's keys are added to each line). */
export function parseBorgListLines(text: string, root: string): ListedFile[] {
  return jsonLines(text, 'borg list')
    .filter((n) => n.type === '-' && typeof n.path === 'string' && isWithin(stripSlashes(n.path), root))
    .map((n) => ({
      path: stripSlashes(n.path as string),
      size: sizeOf(n.size, `borg list entry ${String(n.path)}`),
      ...(typeof n.sha256 === 'string' && /^[0-9a-f]{64}$/.test(n.sha256) ? { sha256: n.sha256 } : {}),
    }));
}

/** What differs between the listing and the restored files (sizes, hashes, missing files); empty when they agree. */
export function compareRestored(listed: readonly ListedFile[], restored: ReadonlyMap<string, { size: number; sha256?: string }>): string[] {
  const problems: string[] = [];
  for (const f of listed) {
    const got = restored.get(f.path);
    if (!got) problems.push(`${f.path}: not restored`);
    else if (got.size !== f.size) problems.push(`${f.path}: restored ${got.size} bytes, the backup lists ${f.size}`);
    else if (f.sha256 !== undefined && got.sha256 !== undefined && got.sha256 !== f.sha256) problems.push(`${f.path}: content differs from the backup's SHA-256`);
  }
  const listedPaths = new Set(listed.map((f) => f.path));
  for (const p of restored.keys()) if (!listedPaths.has(p)) problems.push(`${p}: restored but not listed`);
  return problems;
}
