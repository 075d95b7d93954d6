// A stretched VM host for libvirt's test driver (test:///path/node.xml): 64 CPUs, 512 GiB and
// 200 domains in the states a real estate shows. Both exporters open it read-only; the test
// driver needs no daemon.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** libvirt's virDomainState numbers, as the test driver's <test:runstate> takes them. */
const RUNSTATE = { running: 1, blocked: 2, paused: 3, shutoff: 5 } as const;

interface Group {
  prefix: string;
  count: number;
  state: keyof typeof RUNSTATE;
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
  const domains = GROUPS.flatMap((g) =>
    Array.from({ length: g.count }, (_, i) => {
      index++;
      const kib = g.memoryGiB * 1024 * 1024;
      return `  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>${g.prefix}${String(i + 1).padStart(3, '0')}</name>
    <uuid>00000000-0000-4000-8000-${String(index).padStart(12, '0')}</uuid>
    <memory unit="KiB">${kib}</memory>
    <currentMemory unit="KiB">${kib}</currentMemory>
    <vcpu placement="static">${g.vcpus}</vcpu>
    <os><type arch="x86_64">hvm</type></os>
    <test:runstate>${RUNSTATE[g.state]}</test:runstate>
  </domain>`;
    }),
  );
  // The test driver computes CPUs as nodes × sockets × cores × threads (capped by <active>).
  return `<node>
  <cpu>
    <mhz>2400</mhz>
    <model>x86_64</model>
    <nodes>2</nodes>
    <sockets>1</sockets>
    <cores>16</cores>
    <threads>2</threads>
    <active>64</active>
  </cpu>
  <memory>${512 * 1024 * 1024}</memory>
${domains.join('\n')}
</node>
`;
}

/** Writes node.xml into dir and returns its test-driver URI. */
export function writeLibvirtHost(dir: string): string {
  const file = path.join(dir, 'node.xml');
  writeFileSync(file, libvirtHostXml());
  return `test://${file}`;
}
