import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { defineCollectorModule } from '../../src/collector-module.js';
import { createVmhostCollector } from './collector.js';
import { vmhostConfigSchema } from './config.js';
import { scanQemuProcesses } from './host.js';

/** Whether `program` (a name or a path) can be run, looking it up on PATH as spawn does. */
async function onPath(program: string): Promise<boolean> {
  const candidates = program.includes('/')
    ? [program]
    : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

export const vmhostModule = defineCollectorModule({
  name: 'vmhost',
  summary: 'VM density on a physical host: libvirt domains and unmanaged qemu processes (OBS build VMs) against host CPUs and memory',
  configSchema: vmhostConfigSchema,
  async autodetect(env) {
    if (await onPath('virsh')) return true;
    const scan = await scanQemuProcesses(env.paths);
    return scan.processes.length > 0;
  },
  create: (config) => createVmhostCollector(config),
});
