// The `collectors.pressure` section as the collector uses it; validated by schema.ts.
import { scrapeTimeout } from '../../src/config/timing.js';

/** Three small /proc files at scrape time. */
export const pressureTiming = scrapeTimeout(5000);
