import { defineCollectorModule } from '../../src/collector-module.js';
import { createObsCollector } from './collector.js';
import { obsConfigSchema } from './config.js';

export const obsModule = defineCollectorModule({
  name: 'obs',
  summary: 'Open Build Service: job queues, workers, schedulers and daemons of one or more OBS instances, polled in the background',
  configSchema: obsConfigSchema,
  create: (config) => createObsCollector(config),
});
