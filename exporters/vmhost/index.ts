import { existsSync } from 'node:fs';
import { defineCollectorModule } from '../../src/collector-module.js';
import { createVmhostCollector } from './collector.js';
import { DEFAULT_URI } from './config.js';
import { libvirtEndpoint } from './libvirt-uri.js';
import { scanQemuProcesses } from './host.js';

/** Whether a libvirt daemon's read-only socket for the default URI is there. */
function libvirtSocketExists(): boolean {
  return libvirtEndpoint(DEFAULT_URI).socketPaths.some((p) => existsSync(p));
}

export const vmhostModule = defineCollectorModule({
  name: 'vmhost',
  summary: 'VM density on a physical host: libvirt domains and unmanaged qemu processes (OBS build VMs) against host CPUs and memory',
  configSchema: async () => (await import('./schema.js')).vmhostConfigSchema,
  async autodetect(env) {
    if (libvirtSocketExists()) return true;
    const scan = await scanQemuProcesses(env.paths);
    return scan.processes.length > 0;
  },
  create: (config) => createVmhostCollector(config),
});
