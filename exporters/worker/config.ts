// The `collectors.worker` section as the collector uses it; validated by schema.ts.
import type { z } from 'zod';
import { scrapeTimeout } from '../../src/config/timing.js';
import type { workerConfigSchema } from './schema.js';

/** Read at scrape time; /proc and statfs answer in milliseconds, 5s covers a slow NFS config file. */
export const workerTiming = scrapeTimeout(5000);

export type WorkerConfig = z.output<ReturnType<typeof workerConfigSchema>>;
