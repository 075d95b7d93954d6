// Pure parsers for the host's CPU count when libvirt cannot tell it.

export class CpuListError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'CpuListError';
  }
}

/** The number of CPUs in a kernel CPU list such as /sys/devices/system/cpu/online: `0-15`, `0-3,8-11`, `0`. */
export function countCpuList(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new CpuListError('empty CPU list');
  let total = 0;
  for (const range of trimmed.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!m) throw new CpuListError(`${JSON.stringify(range)} is not a CPU or CPU range`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new CpuListError(`CPU range ${JSON.stringify(range)} runs backwards`);
    total += last - first + 1;
  }
  return total;
}

/** The number of `processor : N` entries in /proc/cpuinfo. */
export function countCpuinfoProcessors(text: string): number {
  const n = text.split('\n').filter((line) => /^processor\s*:/.test(line)).length;
  if (n === 0) throw new CpuListError('no "processor" lines');
  return n;
}
