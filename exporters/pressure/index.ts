import { defineCollectorModule } from '../../src/collector-module.js';
import { procFileReadable } from '../../src/procfs/read.js';
import { createPressureCollector } from './collector.js';
import { pressureTiming } from './config.js';

export const pressureModule = defineCollectorModule({
  name: 'pressure',
  summary: 'What overcommit costs: time tasks stall on CPU, memory and I/O (PSI), and major page faults',
  configSchema: async () => (await import('./schema.js')).pressureConfigSchema,
  autodetect: async (env) => procFileReadable(env.paths, 'pressure/memory'),
  create: (config) => createPressureCollector(pressureTiming.resolve(config)),
});
