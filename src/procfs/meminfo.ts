import { readKernelFile } from './read.js';
import { procPath, type HostPaths } from '../paths.js';

export class ProcParseError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ProcParseError';
  }
}

/**
 * /proc/meminfo as a map of field → value, in bytes for `kB` fields and as plain counts for
 * unit-less ones (HugePages_Total, HugePages_Free...). Unknown fields are kept; lines that do
 * not parse are skipped (kernels add fields and vendors patch formats).
 */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (!m) continue;
    fields.set(m[1]!, m[3] ? Number(m[2]) * 1024 : Number(m[2]));
  }
  if (!fields.has('MemTotal')) throw new ProcParseError('meminfo', 'no MemTotal field');
  return fields;
}

export async function readMeminfo(paths: HostPaths): Promise<Map<string, number>> {
  const file = procPath(paths, 'meminfo');
  try {
    return parseMeminfo(await readKernelFile(file));
  } catch (err) {
    if (err instanceof ProcParseError) throw new ProcParseError(file, err.message.replace(/^meminfo: /, ''));
    throw err;
  }
}
