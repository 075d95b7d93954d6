import { defineCollectorModule } from '../../src/collector-module.js';
import { section } from '../../src/config/fields.js';
import { scrapeTimeout } from '../../src/config/timing.js';
import { procFileReadable } from '../../src/procfs/read.js';
import { createPressureCollector } from './collector.js';

/** Three small /proc files at scrape time. */
const pressureTiming = scrapeTimeout(5000);

export const pressureModule = defineCollectorModule({
  name: 'pressure',
  summary: 'What overcommit costs: time tasks stall on CPU, memory and I/O (PSI), and major page faults',
  configSchema: () =>
    section({
      ...pressureTiming.fields,
    }),
  autodetect: async (env) => procFileReadable(env.paths, 'pressure/memory'),
  create: (config) => createPressureCollector(pressureTiming.resolve(config)),
});
