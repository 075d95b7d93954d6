import type { CollectorModule } from '../src/collector-module.js';
import { obsModule } from './obs/index.js';
import { workerModule } from './worker/index.js';
import { swapModule } from './swap/index.js';
import { pressureModule } from './pressure/index.js';
import { vmhostModule } from './vmhost/index.js';
import { backupModule } from './backup/index.js';

/**
 * Every collector headroom has, in the order they appear on /metrics and the status page.
 * Adding a collector = adding its module here; nothing else registers collectors.
 */
export const collectorModules: readonly CollectorModule[] = [
  obsModule,
  workerModule,
  swapModule,
  pressureModule,
  vmhostModule,
  backupModule,
];
