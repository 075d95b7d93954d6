// The `collectors.vmhost` section as a serving process uses it; validated by schema.ts.
import type { z } from 'zod';
import { scheduleAndTimeout } from '../../src/config/timing.js';
import type { vmhostConfigSchema } from './schema.js';

/** Every 30s; each libvirt round trip of a refresh is cut off after 10s. */
export const vmhostTiming = scheduleAndTimeout({ schedule: '30s', timeoutMs: 10_000 });

/** The system daemon of the qemu driver, as libvirt's clients default to as root. */
export const DEFAULT_URI = 'qemu:///system';

export type VmhostConfig = z.output<ReturnType<typeof vmhostConfigSchema>>;
