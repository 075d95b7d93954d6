import { ProcParseError } from './meminfo.js';
import { readKernelFile } from './read.js';

/** One line of a PSI file: the share of time stalled (averages, in percent) and the total in µs. */
export interface PressureLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  /** Cumulative stall time in microseconds since boot (or since the cgroup was created). */
  readonly totalMicroseconds: number;
}

/**
 * A pressure stall information file (/proc/pressure/{cpu,memory,io}, or a cgroup v2
 * {cpu,memory,io}.pressure): `some` = at least one task stalled, `full` = every non-idle task
 * stalled at once. `full` is null where the kernel gives none (host-wide cpu before 5.13).
 */
export interface Pressure {
  readonly some: PressureLine;
  readonly full: PressureLine | null;
}

const LINE = /^(some|full)\s+avg10=(\d+(?:\.\d+)?)\s+avg60=(\d+(?:\.\d+)?)\s+avg300=(\d+(?:\.\d+)?)\s+total=(\d+)\s*$/;

export function parsePressure(text: string, file = 'pressure'): Pressure {
  const lines = new Map<string, PressureLine>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new ProcParseError(file, `unexpected line ${JSON.stringify(line.slice(0, 120))}`);
    lines.set(m[1]!, { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalMicroseconds: Number(m[5]) });
  }
  const some = lines.get('some');
  if (!some) throw new ProcParseError(file, 'no "some" line');
  return { some, full: lines.get('full') ?? null };
}

/**
 * Reads and parses a PSI file; null when it does not exist or the kernel refuses it
 * (no CONFIG_PSI, booted with psi=0, a cgroup without the memory controller): absent, not zero.
 */
export async function readPressureFile(file: string): Promise<Pressure | null> {
  let text: string;
  try {
    text = await readKernelFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EOPNOTSUPP' || code === 'ENOTSUP') return null;
    throw err;
  }
  return parsePressure(text, file);
}
