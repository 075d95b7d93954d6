import { defineCollectorModule } from '../../src/collector-module.js';
import { duration, section } from '../../src/config/fields.js';
import { procFileReadable } from '../../src/procfs/read.js';
import { createPressureCollector } from './collector.js';

export const pressureModule = defineCollectorModule({
  name: 'pressure',
  summary: 'What overcommit costs: time tasks stall on CPU, memory and I/O (PSI), and major page faults',
  configSchema: () =>
    section({
      timeout: duration({ min: 1 }).default(5000),
    }),
  autodetect: async (env) => procFileReadable(env.paths, 'pressure/memory'),
  create: (config) => createPressureCollector({ timeoutMs: config.timeout }),
});
