import { defineCollectorModule } from '../../src/collector-module.js';
import { procFileReadable } from '../../src/procfs/read.js';
import { createWorkerCollector } from './collector.js';
import { workerTiming } from './config.js';

export const workerModule = defineCollectorModule({
  name: 'worker',
  summary: 'OBS worker host: RAM, swap and hugepages against the tmpfs and VM memory promised by the OBS worker configuration',
  configSchema: async () => (await import('./schema.js')).workerConfigSchema,
  // Without OBS configuration it still reports RAM and swap: it applies wherever meminfo is.
  autodetect: async (env) => procFileReadable(env.paths, 'meminfo'),
  create: (config) =>
    createWorkerCollector({
      configFiles: config.config_files,
      tmpfsMounts: config.tmpfs_mounts ?? null,
      timeoutMs: workerTiming.resolve(config).timeoutMs,
    }),
});
