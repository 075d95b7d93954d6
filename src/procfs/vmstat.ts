import { readKernelFile } from './read.js';
import { procPath, type HostPaths } from '../paths.js';

/**
 * /proc/vmstat as field → value. Fields come and go between kernels, so unknown ones are kept
 * and malformed lines skipped; callers check for the fields they need.
 */
export function parseVmstat(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9_]+)\s+(\d+)\s*$/.exec(line);
    if (m) fields.set(m[1]!, Number(m[2]));
  }
  return fields;
}

export async function readVmstat(paths: HostPaths): Promise<Map<string, number>> {
  return parseVmstat(await readKernelFile(procPath(paths, 'vmstat')));
}
