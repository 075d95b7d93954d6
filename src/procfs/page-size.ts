// The kernel page size, which vmstat's pswpin/pswpout and tmpfs size rounding count in. The
// exporter runs on the host it reports, so its own page size is the host's. The one place
// headroom learns it; callers keep the answer (it does not change while the host runs).
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { runProgram } from '../exec.js';

/** What x86-64 and most arm64 kernels use: the answer when getconf cannot be asked. */
export const COMMON_PAGE_SIZE = 4096;

export async function readPageSize(log: Logger): Promise<number> {
  try {
    const r = await runProgram('getconf', ['PAGESIZE'], { timeoutMs: 5000 });
    const n = Number(r.stdout.trim());
    if (Number.isInteger(n) && n > 0) return n;
    log.warn({ output: r.stdout.slice(0, 100) }, `getconf PAGESIZE answered no number; assuming ${COMMON_PAGE_SIZE} bytes`);
  } catch (err) {
    log.warn({ err: errorMessage(err) }, `cannot ask getconf for the page size; assuming ${COMMON_PAGE_SIZE} bytes`);
  }
  return COMMON_PAGE_SIZE;
}
