import { defineCollectorModule } from '../../src/collector-module.js';

/** Backup freshness: restic, borg, plain files and git targets, each read in the background on its own schedule. */
export const backupModule = defineCollectorModule({
  name: 'backup',
  summary: 'backup freshness of restic and borg repositories, backup files and git repositories (metadata only, lock-free)',
  configSchema: async () => (await import('./schema.js')).backupConfigSchema,
  // No autodetect: there is nothing to watch until targets are configured.
  // Loaded only when configured: most hosts have no backup targets to watch.
  create: async (config) => (await import('./collector.js')).createBackupCollector(config),
});
