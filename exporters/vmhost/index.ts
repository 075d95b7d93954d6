import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineCollectorModule } from '../../src/collector-module.js';
import { duration, schedule, section } from '../../src/config/fields.js';
import { createVmhostCollector } from './collector.js';
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
  configSchema: () =>
    section({
      /** libvirt connection URI, opened read-only (virsh -r). */
      libvirt_uri: z.string().min(1, 'must not be empty').default('qemu:///system'),
      /** The virsh program: a name looked up on PATH, or a path. */
      virsh: z.string().min(1, 'must not be empty').default('virsh'),
      schedule: schedule().prefault('30s'),
      /** Per virsh call. */
      timeout: duration({ min: 1000 }).prefault('10s'),
      /** One series per domain (vCPUs, memory, state): off by default: 10 series per domain (vCPUs, memory, 8 states). */
      per_domain: z.boolean().default(false),
    }),
  async autodetect(env) {
    if (await onPath('virsh')) return true;
    const scan = await scanQemuProcesses(env.paths);
    return scan.processes.length > 0;
  },
  create: (config) => createVmhostCollector(config),
});
