// node.xml documents for libvirt's built-in test driver (`virsh -c test:///abs/node.xml`): a
// whole host with its domains and their run states, no daemon needed. Used by the tests, the
// demo and the benchmark.

/** libvirt's virDomainState numbers, as the test driver's <test:runstate> takes them. */
export const RUNSTATE = { running: 1, blocked: 2, paused: 3, shutdown: 4, shutoff: 5, crashed: 6, pmsuspended: 7 } as const;
export type RunState = keyof typeof RUNSTATE;

export interface TestDomain {
  name: string;
  uuid: string;
  state: RunState;
  /** Current vCPUs, and the maximum the domain may hot-plug to (default: the same). */
  vcpus: number;
  maxVcpus?: number;
  /** Current (balloon) memory and maximum, in KiB (maximum default: the same). */
  memoryKiB: number;
  maxMemoryKiB?: number;
}

export interface TestHost {
  /** The test driver computes CPUs as nodes × sockets × cores × threads (capped by <active>). */
  cpu: { nodes: number; sockets: number; cores: number; threads: number };
  memoryKiB: number;
  domains: readonly TestDomain[];
}

export function testDriverNodeXml(host: TestHost): string {
  const { nodes, sockets, cores, threads } = host.cpu;
  const domains = host.domains.map(
    (d) => `  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>${d.name}</name>
    <uuid>${d.uuid}</uuid>
    <memory unit="KiB">${d.maxMemoryKiB ?? d.memoryKiB}</memory>
    <currentMemory unit="KiB">${d.memoryKiB}</currentMemory>
    <vcpu placement="static" current="${d.vcpus}">${d.maxVcpus ?? d.vcpus}</vcpu>
    <os><type arch="x86_64">hvm</type></os>
    <test:runstate>${RUNSTATE[d.state]}</test:runstate>
  </domain>`,
  );
  return `<node>
  <cpu>
    <mhz>2400</mhz>
    <model>x86_64</model>
    <nodes>${nodes}</nodes>
    <sockets>${sockets}</sockets>
    <cores>${cores}</cores>
    <threads>${threads}</threads>
    <active>${nodes * sockets * cores * threads}</active>
  </cpu>
  <memory>${host.memoryKiB}</memory>
${domains.join('\n')}
</node>
`;
}
