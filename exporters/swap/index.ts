import { z } from 'zod';
import { defineCollectorModule } from '../../src/collector-module.js';
import { duration, schedule, section, size } from '../../src/config/fields.js';
import { procFileReadable } from '../../src/procfs/read.js';
import { parseSchedule, type Schedule } from '../../src/schedule.js';
import { createSwapCollector } from './collector.js';

/** `/dev/nvme0n1` or `nvme0n1`; the kernel name (without /dev/) becomes the device label. */
const DISK_KEY = /^(\/dev\/)?[A-Za-z0-9._-]+$/;

export const swapModule = defineCollectorModule({
  name: 'swap',
  summary: 'Swap churn in bytes, swap areas and the disks holding them, SSD wear and bytes written (smartctl, background)',
  configSchema: () =>
    section({
      timeout: duration({ min: 1 }).default(5000),
      /** true = required, false = never, auto (default) = when smartctl is installed. */
      smartctl: z.union([z.boolean(), z.literal('auto')]).default('auto'),
      smartctl_command: z.string().min(1).default('smartctl'),
      smartctl_schedule: schedule().default(parseSchedule('6h') as Schedule),
      smartctl_timeout: duration({ min: 1000 }).default(60_000),
      /** Rated write endurance (TBW) per disk: `/dev/nvme0n1: 600TB`. */
      endurance: z.record(z.string().regex(DISK_KEY, 'expected a disk such as /dev/nvme0n1 or sda'), size()).default({}),
    }),
  autodetect: async (env) => procFileReadable(env.paths, 'swaps'),
  create(config) {
    const endurance = new Map<string, number>();
    for (const [key, bytes] of Object.entries(config.endurance)) endurance.set(key.replace(/^\/dev\//, ''), bytes);
    return createSwapCollector({
      timeoutMs: config.timeout,
      smartctl: config.smartctl,
      smartctlCommand: config.smartctl_command,
      smartctlSchedule: config.smartctl_schedule,
      smartctlTimeoutMs: config.smartctl_timeout,
      endurance,
    });
  },
});
