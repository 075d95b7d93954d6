// The `collectors.swap` section as the collector uses it; validated by schema.ts.
import type { z } from 'zod';
import { scheduleAndTimeout, scrapeTimeout } from '../../src/config/timing.js';
import type { Schedule } from '../../src/schedule.js';
import type { swapConfigSchema } from './schema.js';

/** /proc and /sys at scrape time. */
export const swapTiming = scrapeTimeout(5000);
/** SMART data changes slowly and waking disks costs: every 6h, a minute per run of smartctl. */
export const smartctlTiming = scheduleAndTimeout({ schedule: '6h', timeoutMs: 60_000 });

/** The smartctl source's pair of fields, under the names scheduleAndTimeout knows. */
export function smartctlTimingOf(c: { smartctl_schedule: Schedule; smartctl_timeout?: number | undefined }) {
  return { schedule: c.smartctl_schedule, timeout: c.smartctl_timeout };
}

export type SwapConfig = z.output<ReturnType<typeof swapConfigSchema>>;
