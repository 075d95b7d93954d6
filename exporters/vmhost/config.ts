// The `collectors.vmhost` section.
import { z } from 'zod';
import { section } from '../../src/config/fields.js';
import { scheduleAndTimeout } from '../../src/config/timing.js';

/**
 * Every 30s; libvirt's refresh (two virsh calls, more above 1000 domains) is cut off after 10s,
 * each virsh call too.
 */
export const vmhostTiming = scheduleAndTimeout({ schedule: '30s', timeoutMs: 10_000 });

export function vmhostConfigSchema() {
  return section({
    /** libvirt connection URI, opened read-only (virsh -r). */
    libvirt_uri: z.string().min(1, 'must not be empty').default('qemu:///system'),
    /** The virsh program: a name looked up on PATH, or a path. */
    virsh: z.string().min(1, 'must not be empty').default('virsh'),
    ...vmhostTiming.fields,
    /** One series per domain (vCPUs, memory, state): off by default: 10 series per domain (vCPUs, memory, 8 states). */
    per_domain: z.boolean().default(false),
  }).superRefine((c, issue) => vmhostTiming.check(c, issue, ['timeout']));
}

export type VmhostConfig = z.output<ReturnType<typeof vmhostConfigSchema>>;
