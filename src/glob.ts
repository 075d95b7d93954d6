// The one glob dialect of the config: picomatch's, which tinyglobby (the backup files target)
// uses too. `*` and `?` never cross a `/`, `[...]`/`[!...]` are classes, `{a,b}` alternatives,
// `**` any depth; dot files match. Pure.
import path from 'node:path';
import picomatch from 'picomatch';

/** Characters with a meaning in a pattern. */
const GLOB_CHARS = /[*?[\]{}()!+@\\]/;

/** Whether a whole absolute path matches any of the patterns. */
export function globMatcher(patterns: readonly string[]): (absolutePath: string) => boolean {
  // posix: `[!0-9]` is a negated class, as tinyglobby reads it (plain picomatch would not).
  return picomatch([...patterns], { dot: true, posix: true });
}

/** A matcher of one name (an OBS project, repository or arch) against one pattern, in the same dialect. */
export function nameMatcher(pattern: string): { test(name: string): boolean } {
  const match = picomatch(pattern, { dot: true, posix: true });
  return { test: (name) => match(name) };
}

/** Whether a pattern has any glob character (else it names one thing literally). */
export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** A pattern that names no files (not absolute, or `/`). */
export class GlobPatternError extends Error {}

export interface SplitGlob {
  /** Absolute directory without glob characters. */
  readonly base: string;
  /** The pattern relative to `base` (at least the last path segment). */
  readonly pattern: string;
}

/**
 * Splits an absolute glob into the literal directory it starts from and the pattern below it,
 * so the directory (which may sit under --path.rootfs and contain any character) is never read
 * as a pattern.
 */
export function splitGlob(absolutePattern: string): SplitGlob {
  if (!path.isAbsolute(absolutePattern)) throw new GlobPatternError(`glob ${JSON.stringify(absolutePattern)} is not absolute`);
  const segments = absolutePattern.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new GlobPatternError('glob "/" names no files');
  let literal = 0;
  // The last segment always stays in the pattern, so a plain file path is matched, not listed.
  while (literal < segments.length - 1 && !GLOB_CHARS.test(segments[literal]!)) literal++;
  return { base: '/' + segments.slice(0, literal).join('/'), pattern: segments.slice(literal).join('/') };
}
