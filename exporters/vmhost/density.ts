// Pure: from what libvirt and /proc said, the samples of one vmhost snapshot.
import { enumSamples, sample, type Sample } from '../../src/metrics.js';
import type { HostTotals } from './host.js';
import type { LibvirtReading } from './libvirt.js';
import * as m from './metrics.js';
import type { QemuProcess } from './qemu-cmdline.js';
import { domainStates, type DomainInfo } from './libvirt.js';

export interface DensityInput {
  readonly libvirt: LibvirtReading;
  /** Every qemu process on the host, libvirt's included: they are told apart here. */
  readonly qemu: readonly QemuProcess[];
  /** The host as /proc and /sys see it; needed only when libvirt is unavailable. */
  readonly hostFallback: HostTotals | null;
  readonly perDomain: boolean;
}

/**
 * Whether a qemu process is an active libvirt domain's: libvirt passes the domain's UUID
 * (-uuid) and names the process after it (-name guest=NAME).
 */
function belongsToDomain(p: QemuProcess, active: readonly DomainInfo[]): boolean {
  return active.some((d) => (p.uuid !== null && p.uuid === d.uuid) || (p.name !== null && p.name === d.name));
}

/** The qemu processes libvirt does not manage (all of them when libvirt is unavailable). */
export function unmanagedQemu(qemu: readonly QemuProcess[], libvirt: LibvirtReading): QemuProcess[] {
  if (!libvirt.available) return [...qemu];
  const active = libvirt.domains.filter((d) => d.active);
  return qemu.filter((p) => !belongsToDomain(p, active));
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function densitySamples(input: DensityInput): Sample[] {
  const { libvirt } = input;
  const host = libvirt.available ? libvirt.node : input.hostFallback;
  if (!host) throw new Error('no host totals: libvirt is unavailable and the host was not read');
  const out: Sample[] = [
    sample(m.hostCpus, {}, host.cpus),
    sample(m.hostMemory, {}, host.memoryBytes),
  ];

  // Only active domains hold a qemu process, hence CPU and memory; shut-off definitions do not
  // (peers counting them inflate density after every migration).
  const active = libvirt.available ? libvirt.domains.filter((d) => d.active) : [];
  const unmanaged = unmanagedQemu(input.qemu, libvirt);
  const qemuVcpus = sum(unmanaged.map((p) => p.vcpus));
  const qemuMemory = sum(unmanaged.map((p) => p.memoryBytes));
  const vcpus = sum(active.map((d) => d.vcpus)) + qemuVcpus;
  const memory = sum(active.map((d) => d.memoryBytes)) + qemuMemory;

  if (libvirt.available) {
    const byState = new Map<string, number>(domainStates.map((s) => [s, 0]));
    for (const d of libvirt.domains) byState.set(d.state, (byState.get(d.state) ?? 0) + 1);
    for (const [state, n] of byState) out.push(sample(m.domains, { state }, n));
  }
  out.push(
    sample(m.vcpusAllocated, {}, vcpus),
    sample(m.memoryAllocated, {}, memory),
    sample(m.qemuProcesses, {}, unmanaged.length),
    sample(m.qemuVcpus, {}, qemuVcpus),
    sample(m.qemuMemory, {}, qemuMemory),
  );
  // A host that reports no CPUs or memory has no meaningful ratio: absent rather than Inf.
  if (host.cpus > 0) out.push(sample(m.vcpuOvercommit, {}, vcpus / host.cpus));
  if (host.memoryBytes > 0) out.push(sample(m.memoryOvercommit, {}, memory / host.memoryBytes));

  if (input.perDomain && libvirt.available) {
    const seen = new Set<string>();
    for (const d of libvirt.domains) {
      if (seen.has(d.name)) continue; // names are unique per connection; never emit a duplicate series
      seen.add(d.name);
      out.push(sample(m.domainVcpus, { domain: d.name }, d.vcpus));
      out.push(sample(m.domainMemory, { domain: d.name }, d.memoryBytes));
      out.push(...enumSamples(m.domainState, { domain: d.name }, 'state', domainStates, d.state));
    }
  }
  return out;
}
