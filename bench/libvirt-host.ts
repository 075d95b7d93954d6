// A stretched VM host for libvirt's test driver: 64 CPUs, 512 GiB and 200 domains in the states
// a real estate shows, served by ONE test-owned libvirtd that both exporters read read-only
// (test+unix:///path/node.xml?socket=...), so they read the same 200 domains the same way.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { testDriverNodeXml, type RunState } from '../sim/libvirt.js';
import { startLibvirtd } from '../sim/libvirtd.js';

interface Group {
  prefix: string;
  count: number;
  state: RunState;
  vcpus: number;
  memoryGiB: number;
}

const GROUPS: readonly Group[] = [
  { prefix: 'svc', count: 150, state: 'running', vcpus: 2, memoryGiB: 4 },
  { prefix: 'db', count: 20, state: 'running', vcpus: 8, memoryGiB: 16 },
  { prefix: 'ci', count: 10, state: 'paused', vcpus: 4, memoryGiB: 8 },
  { prefix: 'idle', count: 5, state: 'blocked', vcpus: 1, memoryGiB: 1 },
  { prefix: 'old', count: 15, state: 'shutoff', vcpus: 4, memoryGiB: 8 },
];

export const DOMAINS = GROUPS.reduce((n, g) => n + g.count, 0);

export function libvirtHostXml(): string {
  let index = 0;
  return testDriverNodeXml({
    cpu: { nodes: 2, sockets: 1, cores: 16, threads: 2 },
    memoryKiB: 512 * 1024 * 1024,
    domains: GROUPS.flatMap((g) =>
      Array.from({ length: g.count }, (_, i) => ({
        name: `${g.prefix}${String(i + 1).padStart(3, '0')}`,
        uuid: `00000000-0000-4000-8000-${String(++index).padStart(12, '0')}`,
        state: g.state,
        vcpus: g.vcpus,
        memoryKiB: g.memoryGiB * 1024 * 1024,
      })),
    ),
  });
}

export interface LibvirtHost {
  /** test+unix:///…/node.xml?socket=…: the daemon's read-only socket. */
  readonly uri: string;
  stop(): Promise<void>;
}

/** Writes node.xml into dir and starts the libvirtd that serves it. */
export async function startLibvirtHost(dir: string): Promise<LibvirtHost> {
  const file = path.join(dir, 'node.xml');
  writeFileSync(file, libvirtHostXml());
  const libvirtd = await startLibvirtd(path.join(dir, 'libvirtd'));
  return { uri: libvirtd.uri(file), stop: () => libvirtd.stop() };
}
