import { readKernelFile } from './read.js';
import { procPath, type HostPaths } from '../paths.js';
import { ProcParseError } from './meminfo.js';

/** One line of /proc/<pid>/mountinfo (proc(5)). */
export interface MountInfo {
  readonly mountId: number;
  readonly parentId: number;
  /** Device number of the filesystem (st_dev): for block-backed filesystems, the block device. */
  readonly major: number;
  readonly minor: number;
  /** The directory of the filesystem that forms this mount's root (bind mounts). */
  readonly root: string;
  /** Where it is mounted, as the host sees it (octal escapes decoded). */
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
  /** Per-superblock options (`size=8388608k`, `mode=755`...): key → value ('' for flags). */
  readonly superOptions: ReadonlyMap<string, string>;
}

/** The kernel escapes space, tab, newline and backslash in paths as \ooo octal. */
export function unescapeOctal(text: string): string {
  // Almost no path has an escape: skip the regex (three per line, every scrape) when there is none.
  if (!text.includes('\\')) return text;
  return text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function parseOptions(text: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const opt of text.split(',')) {
    if (opt === '') continue;
    const eq = opt.indexOf('=');
    if (eq < 0) options.set(opt, '');
    else options.set(opt.slice(0, eq), opt.slice(eq + 1));
  }
  return options;
}

/**
 * Parses mountinfo. Lines that do not have the documented shape are skipped rather than failing
 * the whole table: the optional-fields part varies between kernels (shared:, master:, unbindable).
 */
export function parseMountinfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields.length < sep + 3) continue;
    const devMatch = /^(\d+):(\d+)$/.exec(fields[2] ?? '');
    if (!devMatch) continue;
    const optionsText = fields[sep + 3] ?? '';
    let superOptions: Map<string, string> | undefined;
    mounts.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      major: Number(devMatch[1]),
      minor: Number(devMatch[2]),
      root: unescapeOctal(fields[3]!),
      mountPoint: unescapeOctal(fields[4]!),
      fsType: fields[sep + 1]!,
      source: unescapeOctal(fields[sep + 2]!),
      // Parsed on first use: a scrape reads the options of a few tmpfs mounts out of hundreds of lines.
      get superOptions() {
        return (superOptions ??= parseOptions(optionsText));
      },
    });
  }
  if (mounts.length === 0) throw new ProcParseError('mountinfo', 'no mount lines found');
  return mounts;
}

/**
 * The last table parsed, reused while its file reads the same. A build host's table has hundreds
 * of lines and changes when a job mounts or unmounts, not between most scrapes: comparing the
 * text costs a fraction of parsing it again, and the scrape makes no garbage of it. The entries
 * are read-only, so sharing them between scrapes and collectors is safe.
 */
let lastTable: { file: string; text: string; mounts: readonly MountInfo[] } | null = null;

/**
 * The host's mount table: PID 1's (the host's mount namespace when the exporter runs in a
 * container sharing the host's PID namespace), else the exporter's own.
 */
export async function readMountinfo(paths: HostPaths): Promise<readonly MountInfo[]> {
  let file = procPath(paths, '1', 'mountinfo');
  let text: string;
  try {
    text = await readKernelFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EACCES') throw err;
    file = procPath(paths, 'self', 'mountinfo');
    text = await readKernelFile(file);
  }
  if (lastTable !== null && lastTable.file === file && lastTable.text === text) return lastTable.mounts;
  let mounts: readonly MountInfo[];
  try {
    mounts = parseMountinfo(text);
  } catch (err) {
    if (err instanceof ProcParseError) throw new ProcParseError(file, 'no mount lines found');
    throw err;
  }
  lastTable = { file, text, mounts };
  return mounts;
}

/**
 * The mount that holds a host path: the last-mounted of those with the longest mount point
 * that is a prefix of it (later mounts hide earlier ones at the same place).
 */
export function mountHolding(mounts: readonly MountInfo[], hostPath: string): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = mp === '/' || hostPath === mp || hostPath.startsWith(mp.endsWith('/') ? mp : mp + '/');
    if (!inside) continue;
    if (!best || mp.length >= best.mountPoint.length) best = m;
  }
  return best;
}
