import { defineCollectorModule } from '../../src/collector-module.js';

export const obsModule = defineCollectorModule({
  name: 'obs',
  summary: 'Open Build Service: job queues, workers, schedulers and daemons of one or more OBS instances, polled in the background',
  configSchema: async () => (await import('./schema.js')).obsConfigSchema,
  // A 50,000-worker status is 6 MB of XML: parsed 5–6× slower by interpreted code.
  needsOptimizingCompiler: true,
  // Loaded only when configured: a worker or VM host never pays for the OBS parsers resident.
  create: async (config) => (await import('./collector.js')).createObsCollector(config),
});
