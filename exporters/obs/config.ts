// The `collectors.obs` config section as the collector uses it: one entry per OBS
// installation; validated by schema.ts.
import type { z } from 'zod';
import { scheduleAndTimeout } from '../../src/config/timing.js';
import type { obsConfigSchema } from './schema.js';

/** Every 30s, each poll cut off after 10s (or the schedule's interval, when shorter). */
export const obsTiming = scheduleAndTimeout({ schedule: '30s', timeoutMs: 10_000 });

export type ObsConfig = z.output<ReturnType<typeof obsConfigSchema>>;
export type ObsInstanceConfig = ObsConfig['instances'][number];
