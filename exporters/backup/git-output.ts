// Output of `git log -1 --format=%ct` and `git rev-list --count`. Pure.
import { BackupParseError } from './parse-error.js';

/** The single non-negative integer git printed (a Unix time or a count). */
export function parseGitInteger(text: string, what: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) throw new BackupParseError(`${what}: expected a number, got ${JSON.stringify(trimmed.slice(0, 60))}`);
  return Number(trimmed);
}
