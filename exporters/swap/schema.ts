// The `collectors.swap` section's validation (run by the config child, never by serve).
import { z } from 'zod';
import { section, size, timingFields } from '../../src/config/fields.js';
import { smartctlTiming, smartctlTimingOf, swapTiming } from './config.js';

/** `/dev/nvme0n1` or `nvme0n1`; the kernel name (without /dev/) becomes the device label. */
const DISK_KEY = /^(\/dev\/)?[A-Za-z0-9._-]+$/;

export function swapConfigSchema() {
  const smartctlFields = timingFields(smartctlTiming);
  return section({
    ...timingFields(swapTiming),
    /** true = required, false = never, auto (default) = when smartctl is installed. */
    smartctl: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    smartctl_command: z.string().min(1).default('smartctl'),
    smartctl_schedule: smartctlFields.schedule,
    smartctl_timeout: smartctlFields.timeout,
    /** Rated write endurance (TBW) per disk: `/dev/nvme0n1: 600TB`. */
    endurance: z.record(z.string().regex(DISK_KEY, 'expected a disk such as /dev/nvme0n1 or sda'), size()).default({}),
  }).superRefine((c, issue) => smartctlTiming.check(smartctlTimingOf(c), issue, ['smartctl_timeout']));
}
