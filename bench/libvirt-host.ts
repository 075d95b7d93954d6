// A stretched VM host for libvirt's test driver (test:///path/node.xml): 64 CPUs, 512 GiB and
// 200 domains in the states a real estate shows. Both exporters open it read-only; the test
// driver needs no daemon.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { testDriverNodeXml, type RunState } from '../sim/libvirt.js';

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

/** Writes node.xml into dir and returns its test-driver URI. */
export function writeLibvirtHost(dir: string): string {
  const file = path.join(dir, 'node.xml');
  writeFileSync(file, libvirtHostXml());
  return `test://${file}`;
}
