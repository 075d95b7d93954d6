import { readKernelFile } from './read.js';
import { procPath, type HostPaths } from '../paths.js';

/**
 * The named fields of /proc/vmstat (`name value` lines), those present and numeric. Fields come
 * and go between kernels, so a missing or malformed one is left out and callers check for it.
 * Only the asked-for lines are read: the file has about 170 and a collector wants one or two,
 * so a scrape makes no garbage of the rest.
 */
export function parseVmstat(text: string, fields: readonly string[]): Map<string, number> {
  const lines = `\n${text}`; // every line, the first too, starts after a line feed
  const values = new Map<string, number>();
  for (const field of fields) {
    const value = fieldValue(lines, field);
    if (value !== undefined) values.set(field, value);
  }
  return values;
}

/** The value of the first line that is `name`, whitespace and a whole number. */
function fieldValue(lines: string, name: string): number | undefined {
  const key = `\n${name}`;
  for (let at = lines.indexOf(key); at >= 0; at = lines.indexOf(key, at + key.length)) {
    const after = at + key.length;
    const next = lines.charCodeAt(after);
    if (next !== 0x20 && next !== 0x09) continue; // a longer name that starts with this one
    const end = lines.indexOf('\n', after);
    const m = /^\s+(\d+)\s*$/.exec(lines.slice(after, end < 0 ? lines.length : end));
    if (m) return Number(m[1]);
  }
  return undefined;
}

export async function readVmstat(paths: HostPaths, fields: readonly string[]): Promise<Map<string, number>> {
  return parseVmstat(await readKernelFile(procPath(paths, 'vmstat')), fields);
}
