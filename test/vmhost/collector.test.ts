// The vmhost collector end to end inside the process: a test-owned libvirtd serving libvirt's
// test driver, fixture /proc and /sys trees, a misbehaving proxy in front of the socket for the
// failures.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVmhostCollector, type VmhostConfig } from '../../exporters/vmhost/collector.js';
import { vmhostConfigSchema } from '../../exporters/vmhost/schema.js';
import { silentLogger } from '../../src/log.js';
import type { Sample } from '../../src/metrics.js';
import type { HostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';
import { startLibvirtProxy, type LibvirtProxy } from '../../sim/libvirt-proxy.js';
import { startLibvirtd, type TestLibvirtd } from '../../sim/libvirtd.js';
import { tempDir } from '../support/tmp.js';
import { domainNames, fakeProcesses, writeProcTree, writeStretchedHost, writeSysTree } from './stretched-host.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const dir = tempDir('headroom-vmhost-');
const nodeXml = writeStretchedHost(dir);
let libvirtd: TestLibvirtd;
let proxy: LibvirtProxy;
let uri: string;
/** The same host through the proxy, which can hang or garble on demand. */
let proxiedUri: string;
/** A URI whose socket nothing listens on: a host without libvirt. */
const noLibvirtUri = `test+unix://${nodeXml}?socket=${path.join(dir, 'no-such-sock')}`;
beforeAll(async () => {
  libvirtd = await startLibvirtd(path.join(dir, 'libvirtd'));
  uri = libvirtd.uri(nodeXml);
  proxy = await startLibvirtProxy(path.join(dir, 'proxy-sock'), libvirtd.socketPath);
  proxiedUri = `test+unix://${nodeXml}?socket=${proxy.socketPath}`;
}, 30_000);
afterAll(async () => {
  await proxy?.stop();
  await libvirtd?.stop();
});
const procfs = path.join(dir, 'proc');
const sysfs = path.join(dir, 'sys');
writeProcTree(procfs, fakeProcesses, 64 * 1024 * 1024 /* 64 GiB in kB */);
writeSysTree(sysfs, '0-7,16-23'); // 16 CPUs online
const paths: HostPaths = { procfs, sysfs, rootfs: dir };

function config(overrides: Partial<VmhostConfig> = {}): VmhostConfig {
  return { libvirt_uri: uri, schedule: { kind: 'interval', ms: 30_000 }, timeout: 10_000, per_domain: false, ...overrides };
}

/** The density source's status (the collector's other source is libvirt). */
function densityStatus(runtime: CollectorRuntime) {
  return runtime.status()[0]!.sources.find((s) => s.id === 'vmhost')!;
}

async function refreshOnce(cfg: VmhostConfig, hostPaths: HostPaths = paths) {
  const runtime = new CollectorRuntime([createVmhostCollector(cfg)], { paths: hostPaths, log: silentLogger() });
  try {
    await runtime.refreshCollector('vmhost');
    return { runtime, samples: runtime.snapshot(), status: densityStatus(runtime) };
  } finally {
    await runtime.stop();
  }
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.metric.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} series of ${name}`);
  return found[0]?.value;
}

// The fixture's construction (test/vmhost/stretched-host.ts), written out:
// active domains (all but the 6 shut off):
//   20 web × 2 vCPUs, 6 db × 6 (current, of 8 max), 3 paused ci × 4, 2 idle × 1,
//   1 stopping × 2, 1 pmsuspended × 2, 1 crashed × 1
const libvirtVcpus = 20 * 2 + 6 * 6 + 3 * 4 + 2 * 1 + 1 * 2 + 1 * 2 + 1 * 1; // 95
//   20 × 4 GiB, 6 × 8 GiB (current, of 16 max), 3 × 2, 2 × 1, 1 × 2, 1 × 1, 1 × 1
const libvirtMemory = (20 * 4 + 6 * 8 + 3 * 2 + 2 * 1 + 1 * 2 + 1 * 1 + 1 * 1) * GiB; // 140 GiB
// OBS build VMs started by qemu directly: -smp 8, 8, cpus=4, sockets=2×cores=2×threads=1
const obsVcpus = 8 + 8 + 4 + 2 * 2 * 1; // 24
// -m 8192, 8192 (MiB), 8G, 4096M
const obsMemory = 8192 * MiB + 8192 * MiB + 8 * GiB + 4096 * MiB; // 28 GiB
// The qemu processes libvirt started for web01, db01 and db02: -smp 2, 6, 6; -m 4194304k, 8192, 8G
const libvirtQemuVcpus = 2 + 6 + 6;
const libvirtQemuMemory = 4194304 * 1024 + 8192 * MiB + 8 * GiB;

describe('vmhost on a stretched libvirt host (test driver) with OBS build VMs', () => {
  it('reports host totals, domains by state, allocation and overcommit, counting libvirt\'s qemu processes once', async () => {
    const { samples, status } = await refreshOnce(config());
    expect(status.ok, status.lastError ?? '').toBe(true);
    expect(value(samples, 'headroom_collector_success', { collector: 'vmhost' })).toBe(1);
    expect(value(samples, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(1);
    expect(value(samples, 'headroom_vmhost_cpus')).toBe(2 * 4 * 2); // sockets × cores × threads
    expect(value(samples, 'headroom_vmhost_memory_bytes')).toBe(64 * GiB);

    expect(value(samples, 'headroom_vmhost_domains', { state: 'running' })).toBe(20 + 6);
    expect(value(samples, 'headroom_vmhost_domains', { state: 'paused' })).toBe(3);
    expect(value(samples, 'headroom_vmhost_domains', { state: 'blocked' })).toBe(2);
    expect(value(samples, 'headroom_vmhost_domains', { state: 'shutdown' })).toBe(1);
    expect(value(samples, 'headroom_vmhost_domains', { state: 'pmsuspended' })).toBe(1);
    expect(value(samples, 'headroom_vmhost_domains', { state: 'crashed' })).toBe(1);
    expect(value(samples, 'headroom_vmhost_domains', { state: 'shutoff' })).toBe(6);
    expect(value(samples, 'headroom_vmhost_domains', { state: 'nostate' })).toBe(0);
    const domainTotal = samples.filter((s) => s.metric.name === 'headroom_vmhost_domains').reduce((a, s) => a + s.value, 0);
    expect(domainTotal).toBe(40);

    expect(value(samples, 'headroom_vmhost_qemu_processes')).toBe(4);
    expect(value(samples, 'headroom_vmhost_qemu_vcpus')).toBe(obsVcpus);
    expect(value(samples, 'headroom_vmhost_qemu_memory_bytes')).toBe(obsMemory);
    expect(value(samples, 'headroom_vmhost_vcpus_allocated')).toBe(libvirtVcpus + obsVcpus); // 119
    expect(value(samples, 'headroom_vmhost_memory_allocated_bytes')).toBe(libvirtMemory + obsMemory); // 168 GiB
    expect(value(samples, 'headroom_vmhost_vcpu_overcommit_ratio')).toBeCloseTo(119 / 16, 12);
    expect(value(samples, 'headroom_vmhost_memory_overcommit_ratio')).toBeCloseTo(168 / 64, 12);

    // Off by default: no per-domain series.
    expect(samples.some((s) => s.metric.name.startsWith('headroom_vmhost_domain_'))).toBe(false);
  });

  it('adds per-domain series when per_domain is on', async () => {
    const { samples } = await refreshOnce(config({ per_domain: true }));
    expect(value(samples, 'headroom_vmhost_domain_vcpus', { domain: 'db03' })).toBe(6);
    expect(value(samples, 'headroom_vmhost_domain_memory_bytes', { domain: 'db03' })).toBe(8 * GiB);
    expect(value(samples, 'headroom_vmhost_domain_vcpus', { domain: 'archive06' })).toBe(16);
    expect(value(samples, 'headroom_vmhost_domain_state', { domain: 'ci02', state: 'paused' })).toBe(1);
    expect(value(samples, 'headroom_vmhost_domain_state', { domain: 'ci02', state: 'running' })).toBe(0);
    expect(value(samples, 'headroom_vmhost_domain_state', { domain: 'archive01', state: 'shutoff' })).toBe(1);
    const names = new Set(samples.filter((s) => s.metric.name === 'headroom_vmhost_domain_vcpus').map((s) => s.labels.domain));
    expect(names).toEqual(new Set(domainNames()));
    expect(names.size).toBe(40);
    // 8 states per domain, one of them 1.
    expect(samples.filter((s) => s.metric.name === 'headroom_vmhost_domain_state').length).toBe(40 * 8);
    expect(samples.filter((s) => s.metric.name === 'headroom_vmhost_domain_state' && s.value === 1).length).toBe(40);
  });
});

describe('vmhost without libvirt', () => {
  it('reports the qemu processes and host totals from /proc and /sys when no libvirt daemon listens, and succeeds', async () => {
    const { samples, status } = await refreshOnce(config({ libvirt_uri: noLibvirtUri }));
    expect(status.ok, status.lastError ?? '').toBe(true);
    expect(value(samples, 'headroom_collector_success', { collector: 'vmhost' })).toBe(1);
    expect(value(samples, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(0);
    expect(value(samples, 'headroom_vmhost_cpus')).toBe(8 + 8); // 0-7,16-23
    expect(value(samples, 'headroom_vmhost_memory_bytes')).toBe(64 * GiB);
    expect(samples.some((s) => s.metric.name === 'headroom_vmhost_domains')).toBe(false);
    // Without libvirt no process can be told apart: all seven qemu VMs count, and the totals stay right.
    expect(value(samples, 'headroom_vmhost_qemu_processes')).toBe(4 + 3);
    expect(value(samples, 'headroom_vmhost_vcpus_allocated')).toBe(obsVcpus + libvirtQemuVcpus); // 38
    expect(value(samples, 'headroom_vmhost_memory_allocated_bytes')).toBe(obsMemory + libvirtQemuMemory); // 48 GiB
    expect(value(samples, 'headroom_vmhost_vcpu_overcommit_ratio')).toBeCloseTo(38 / 16, 12);
    expect(value(samples, 'headroom_vmhost_memory_overcommit_ratio')).toBeCloseTo(48 / 64, 12);
  });

  it('treats a URI where no hypervisor answers as libvirt unavailable', async () => {
    const { samples, status } = await refreshOnce(config({ libvirt_uri: libvirtd.uri(path.join(dir, 'missing-node.xml')) }));
    expect(status.ok, status.lastError ?? '').toBe(true);
    expect(value(samples, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(0);
    expect(value(samples, 'headroom_vmhost_qemu_processes')).toBe(7);
  });

  it('counts CPUs from /proc/cpuinfo when sysfs has no online list', async () => {
    const proc2 = path.join(dir, 'proc-cpuinfo');
    writeProcTree(proc2, [{ pid: 42, argv: ['qemu-kvm', '-m', '2G', '-smp', '2'] }], 4 * 1024 * 1024, 4);
    const { samples, status } = await refreshOnce(config({ libvirt_uri: noLibvirtUri }), {
      procfs: proc2,
      sysfs: path.join(dir, 'empty-sys'),
      rootfs: dir,
    });
    expect(status.ok, status.lastError ?? '').toBe(true);
    expect(value(samples, 'headroom_vmhost_cpus')).toBe(4);
    expect(value(samples, 'headroom_vmhost_memory_bytes')).toBe(4 * GiB);
    expect(value(samples, 'headroom_vmhost_vcpu_overcommit_ratio')).toBe(2 / 4);
    expect(value(samples, 'headroom_vmhost_memory_overcommit_ratio')).toBe(2 / 4);
  });

  it('fails with a message naming the files when neither libvirt nor /proc can tell the host', async () => {
    const { status } = await refreshOnce(config({ libvirt_uri: noLibvirtUri }), {
      procfs: path.join(dir, 'no-proc'),
      sysfs: path.join(dir, 'no-sys'),
      rootfs: dir,
    });
    expect(status.ok).toBe(false);
    expect(status.lastError).toContain(path.join(dir, 'no-proc'));
  });

  it('leaves out a qemu process whose command line does not parse, and counts the rest', async () => {
    const proc3 = path.join(dir, 'proc-odd');
    writeProcTree(proc3, [
      { pid: 7, argv: ['qemu-kvm', '-m', 'lots', '-smp', '2'] },
      { pid: 8, argv: ['qemu-kvm', '-m', '1G', '-smp', '3'] },
    ], 4 * 1024 * 1024);
    writeSysTree(path.join(dir, 'sys-odd'), '0-3');
    const { samples, status } = await refreshOnce(config({ libvirt_uri: noLibvirtUri }), {
      procfs: proc3,
      sysfs: path.join(dir, 'sys-odd'),
      rootfs: dir,
    });
    expect(status.ok, status.lastError ?? '').toBe(true);
    expect(value(samples, 'headroom_vmhost_qemu_processes')).toBe(1);
    expect(value(samples, 'headroom_vmhost_vcpus_allocated')).toBe(3);
  });
});

describe('vmhost when libvirt misbehaves', () => {
  it('times out a hung daemon, reports failure, keeps the last good data, and reconnects once it answers', async () => {
    proxy.setMode('pass');
    const collector = createVmhostCollector(config({ libvirt_uri: proxiedUri, timeout: 2000 }));
    const runtime = new CollectorRuntime([collector], { paths, log: silentLogger() });
    try {
      await runtime.refreshCollector('vmhost');
      expect(densityStatus(runtime).ok, densityStatus(runtime).lastError ?? '').toBe(true);

      proxy.setMode('hang');
      await runtime.refreshCollector('vmhost');
      const status = densityStatus(runtime);
      expect(status.ok).toBe(false);
      expect(status.lastError).toMatch(/^libvirt failed: /);
      expect(runtime.status()[0]!.sources.find((s) => s.id === 'libvirt')!.lastError).toMatch(/timed out after 2s/);
      let samples = runtime.snapshot();
      expect(value(samples, 'headroom_collector_success', { collector: 'vmhost' })).toBe(0);
      expect(value(samples, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(0);
      expect(value(samples, 'headroom_vmhost_vcpus_allocated')).toBe(libvirtVcpus + obsVcpus);
      expect(value(samples, 'headroom_vmhost_domains', { state: 'running' })).toBe(26);

      proxy.setMode('pass');
      await runtime.refreshCollector('vmhost');
      samples = runtime.snapshot();
      expect(densityStatus(runtime).ok, densityStatus(runtime).lastError ?? '').toBe(true);
      expect(value(samples, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(1);
    } finally {
      proxy.setMode('pass');
      await runtime.stop();
    }
  });

  it.each([
    ['garbage', /libvirt RPC: packet for program 0x74686973/],
    ['oversized', /over libvirt's limit/],
  ] as const)('fails on a %s reply, naming libvirt and the URI', async (mode, problem) => {
    proxy.setMode(mode);
    try {
      const { status } = await refreshOnce(config({ libvirt_uri: proxiedUri }));
      expect(status.ok).toBe(false);
      expect(status.lastError).toContain(`libvirt ${proxiedUri}`);
      expect(status.lastError).toMatch(problem);
    } finally {
      proxy.setMode('pass');
    }
  });
});

describe('vmhost config', () => {
  const schema = vmhostConfigSchema();

  it('has the documented defaults', () => {
    expect(schema.parse({})).toEqual({
      libvirt_uri: 'qemu:///system',
      schedule: { kind: 'interval', ms: 30_000 },
      per_domain: false,
    });
    expect(createVmhostCollector(schema.parse({})).sources.map((s) => [s.id, s.timeoutMs])).toEqual([
      ['libvirt', 10_000],
      ['vmhost', 15_000], // libvirt's, then the /proc scan
    ]);
  });

  it('rejects unknown keys with a suggestion, and bad durations', () => {
    const typo = schema.safeParse({ libvirt_url: 'qemu:///system' });
    expect(typo.success).toBe(false);
    expect(typo.error!.issues[0]!.message).toContain('did you mean "libvirt_uri"');
    expect(schema.safeParse({ timeout: 'soon' }).success).toBe(false);
  });

  it('says the removed virsh key is to be deleted, not that it is unknown', () => {
    const old = schema.safeParse({ virsh: '/usr/bin/virsh' });
    expect(old.success).toBe(false);
    expect(old.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['virsh', expect.stringMatching(/^removed: .*RPC protocol.*; delete this key$/)],
    ]);
  });

  it.each([
    ['qemu+ssh://root@vmhost/system', 'transport "ssh" is not supported'],
    ['qemu://vmhost/system', 'remote host "vmhost"'],
    ['qemu:///session', 'per-user daemon'],
    ['test:///default', 'test+unix:///'],
  ])('rejects libvirt_uri %s with the reason', (libvirtUri, reason) => {
    const result = schema.safeParse({ libvirt_uri: libvirtUri });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['libvirt_uri']);
    expect(result.error!.issues[0]!.message).toContain(reason);
  });
});
