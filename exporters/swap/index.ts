import { z } from 'zod';
import { defineCollectorModule } from '../../src/collector-module.js';
import { section, size } from '../../src/config/fields.js';
import { scheduleAndTimeout, scrapeTimeout } from '../../src/config/timing.js';
import { procFileReadable } from '../../src/procfs/read.js';
import type { Schedule } from '../../src/schedule.js';
import { createSwapCollector } from './collector.js';

/** /proc and /sys at scrape time. */
const swapTiming = scrapeTimeout(5000);
/** SMART data changes slowly and waking disks costs: every 6h, a minute per run of smartctl. */
const smartctlTiming = scheduleAndTimeout({ schedule: '6h', timeoutMs: 60_000 });

/** `/dev/nvme0n1` or `nvme0n1`; the kernel name (without /dev/) becomes the device label. */
const DISK_KEY = /^(\/dev\/)?[A-Za-z0-9._-]+$/;

/** The smartctl source's pair of fields, under the names scheduleAndTimeout knows. */
function smartctlTimingOf(c: { smartctl_schedule: Schedule; smartctl_timeout?: number | undefined }) {
  return { schedule: c.smartctl_schedule, timeout: c.smartctl_timeout };
}

export const swapModule = defineCollectorModule({
  name: 'swap',
  summary: 'Swap churn in bytes, swap areas and the disks holding them, SSD wear and bytes written (smartctl, background)',
  configSchema: () =>
    section({
      ...swapTiming.fields,
      /** true = required, false = never, auto (default) = when smartctl is installed. */
      smartctl: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      smartctl_command: z.string().min(1).default('smartctl'),
      smartctl_schedule: smartctlTiming.fields.schedule,
      smartctl_timeout: smartctlTiming.fields.timeout,
      /** Rated write endurance (TBW) per disk: `/dev/nvme0n1: 600TB`. */
      endurance: z.record(z.string().regex(DISK_KEY, 'expected a disk such as /dev/nvme0n1 or sda'), size()).default({}),
    }).superRefine((c, issue) => smartctlTiming.check(smartctlTimingOf(c), issue, ['smartctl_timeout'])),
  autodetect: async (env) => procFileReadable(env.paths, 'swaps'),
  create(config) {
    const endurance = new Map<string, number>();
    for (const [key, bytes] of Object.entries(config.endurance)) endurance.set(key.replace(/^\/dev\//, ''), bytes);
    const smart = smartctlTiming.resolve(smartctlTimingOf(config));
    return createSwapCollector({
      timeoutMs: swapTiming.resolve(config).timeoutMs,
      smartctl: config.smartctl,
      smartctlCommand: config.smartctl_command,
      smartctlSchedule: smart.schedule,
      smartctlTimeoutMs: smart.timeoutMs,
      endurance,
    });
  },
});
