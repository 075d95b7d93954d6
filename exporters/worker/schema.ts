// The `collectors.worker` section's validation (run by the config child, never by serve).
import { z } from 'zod';
import { section, timingFields } from '../../src/config/fields.js';
import { workerTiming } from './config.js';
import { DEFAULT_CONFIG_FILES } from './obs-settings.js';

const hostPath = z.string().startsWith('/', 'must be an absolute path on the host (it is read under --path.rootfs)');

export function workerConfigSchema() {
  return section({
    /** Read in this order, later files overriding earlier ones, as obsworker sources them. */
    config_files: z.array(hostPath).default([...DEFAULT_CONFIG_FILES]),
    /** Globs of tmpfs mount points to count; default root_* under OBS_WORKER_DIRECTORY. */
    tmpfs_mounts: z.array(hostPath).min(1).optional(),
    ...timingFields(workerTiming),
  });
}
