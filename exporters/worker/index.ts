import { z } from 'zod';
import { defineCollectorModule } from '../../src/collector-module.js';
import { section } from '../../src/config/fields.js';
import { scrapeTimeout } from '../../src/config/timing.js';
import { procFileReadable } from '../../src/procfs/read.js';
import { createWorkerCollector } from './collector.js';
import { DEFAULT_CONFIG_FILES } from './obs-settings.js';

/** Read at scrape time; /proc and statfs answer in milliseconds, 5s covers a slow NFS config file. */
const workerTiming = scrapeTimeout(5000);

const hostPath = z.string().startsWith('/', 'must be an absolute path on the host (it is read under --path.rootfs)');

export const workerModule = defineCollectorModule({
  name: 'worker',
  summary: 'OBS worker host: RAM, swap and hugepages against the tmpfs and VM memory promised by the OBS worker configuration',
  configSchema: () =>
    section({
      /** Read in this order, later files overriding earlier ones, as obsworker sources them. */
      config_files: z.array(hostPath).default([...DEFAULT_CONFIG_FILES]),
      /** Globs of tmpfs mount points to count; default root_* under OBS_WORKER_DIRECTORY. */
      tmpfs_mounts: z.array(hostPath).min(1).optional(),
      ...workerTiming.fields,
    }),
  // Without OBS configuration it still reports RAM and swap: it applies wherever meminfo is.
  autodetect: async (env) => procFileReadable(env.paths, 'meminfo'),
  create: (config) =>
    createWorkerCollector({
      configFiles: config.config_files,
      tmpfsMounts: config.tmpfs_mounts ?? null,
      timeoutMs: workerTiming.resolve(config).timeoutMs,
    }),
});
