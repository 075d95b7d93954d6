import { readKernelFile } from './read.js';
import { procPath, type HostPaths } from '../paths.js';
import { ProcParseError } from './meminfo.js';
import { unescapeOctal } from './mountinfo.js';

/** One active swap area from /proc/swaps. */
export interface SwapArea {
  /** The device or file, as swapon was given it (`/dev/nvme0n1p2`, `/swapfile`). */
  readonly filename: string;
  /** `partition` or `file` (kernels print these two). */
  readonly type: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly priority: number;
}

/**
 * Parses /proc/swaps: a header line, then `Filename Type Size Used Priority` with sizes in KiB.
 * Paths with spaces are octal-escaped; a swap file deleted while active carries ` (deleted)`.
 * A header alone (no swap) is an empty list.
 */
export function parseSwaps(text: string): SwapArea[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0 || !/^Filename\s/.test(lines[0]!)) {
    throw new ProcParseError('swaps', 'missing the "Filename Type Size Used Priority" header');
  }
  const areas: SwapArea[] = [];
  for (const line of lines.slice(1)) {
    // Parse from the right: the filename may contain " (deleted)".
    const m = /^(.*?)\s+(\S+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s*$/.exec(line);
    if (!m) throw new ProcParseError('swaps', `unexpected line ${JSON.stringify(line)}`);
    areas.push({
      filename: unescapeOctal(m[1]!.replace(/\s+\(deleted\)$/, '')),
      type: m[2]!,
      sizeBytes: Number(m[3]) * 1024,
      usedBytes: Number(m[4]) * 1024,
      priority: Number(m[5]),
    });
  }
  return areas;
}

export async function readSwaps(paths: HostPaths): Promise<SwapArea[]> {
  const file = procPath(paths, 'swaps');
  try {
    return parseSwaps(await readKernelFile(file));
  } catch (err) {
    if (err instanceof ProcParseError) throw new ProcParseError(file, err.message.replace(/^swaps: /, ''));
    throw err;
  }
}
