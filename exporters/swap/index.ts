import { defineCollectorModule } from '../../src/collector-module.js';
import { procFileReadable } from '../../src/procfs/read.js';
import { createSwapCollector } from './collector.js';
import { smartctlTiming, smartctlTimingOf, swapTiming } from './config.js';

export const swapModule = defineCollectorModule({
  name: 'swap',
  summary: 'Swap churn in bytes, swap areas and the disks holding them, SSD wear and bytes written (smartctl, background)',
  configSchema: async () => (await import('./schema.js')).swapConfigSchema,
  autodetect: async (env) => procFileReadable(env.paths, 'swaps'),
  create(config) {
    const endurance = new Map<string, number>();
    for (const [key, bytes] of Object.entries(config.endurance)) endurance.set(key.replace(/^\/dev\//, ''), bytes);
    const smart = smartctlTiming.resolve(smartctlTimingOf(config));
    return createSwapCollector({
      timeoutMs: swapTiming.resolve(config).timeoutMs,
      smartctl: config.smartctl,
      smartctlCommand: config.smartctl_command,
      smartctlSchedule: smart.schedule,
      smartctlTimeoutMs: smart.timeoutMs,
      endurance,
    });
  },
});
