// Splits an absolute glob into the literal directory it starts from and the pattern below it,
// so the directory (which may sit under --path.rootfs and contain any character) is never
// read as a pattern. Pure.
import path from 'node:path';
import { BackupParseError } from './parse-error.js';

// Characters with a meaning in tinyglobby/picomatch patterns.
const GLOB_CHARS = /[*?[\]{}()!+@\\]/;

export interface SplitGlob {
  /** Absolute directory without glob characters. */
  readonly base: string;
  /** The pattern relative to `base` (at least the last path segment). */
  readonly pattern: string;
}

export function splitGlob(absolutePattern: string): SplitGlob {
  if (!path.isAbsolute(absolutePattern)) throw new BackupParseError(`glob ${JSON.stringify(absolutePattern)} is not absolute`);
  const segments = absolutePattern.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new BackupParseError('glob "/" names no files');
  let literal = 0;
  // The last segment always stays in the pattern, so a plain file path is matched, not listed.
  while (literal < segments.length - 1 && !GLOB_CHARS.test(segments[literal]!)) literal++;
  return { base: '/' + segments.slice(0, literal).join('/'), pattern: segments.slice(literal).join('/') };
}
