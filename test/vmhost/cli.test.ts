// `headroom serve` (the built CLI) with the vmhost collector: libvirt's test driver served by a
// test-owned libvirtd, through a proxy that can be made to hang, fixture /proc and /sys trees.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLibvirtProxy, type LibvirtProxy } from '../../sim/libvirt-proxy.js';
import { cliPath } from '../../sim/headroom-process.js';
import { startLibvirtd, type TestLibvirtd } from '../../sim/libvirtd.js';
import { startExporterProcess } from '../support/exporter.js';
import { scrape, valueOf } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { promtoolCheckMetrics } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { fakeProcesses, writeProcTree, writeStretchedHost, writeSysTree } from './stretched-host.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const dir = tempDir('headroom-vmhost-cli-');
const nodeXml = writeStretchedHost(dir);
let libvirtd: TestLibvirtd;
let proxy: LibvirtProxy;
beforeAll(async () => {
  libvirtd = await startLibvirtd(path.join(dir, 'libvirtd'));
  proxy = await startLibvirtProxy(path.join(dir, 'proxy-sock'), libvirtd.socketPath);
}, 30_000);
afterAll(async () => {
  await proxy?.stop();
  await libvirtd?.stop();
});
const procfs = path.join(dir, 'proc');
const sysfs = path.join(dir, 'sys');
writeProcTree(procfs, fakeProcesses, 64 * 1024 * 1024);
writeSysTree(sysfs, '0-15');

// From the fixture's construction (see collector.test.ts for the breakdown):
// 34 active domains: 20×2 + 6×6 + 3×4 + 2×1 + 2 + 2 + 1 vCPUs; 20×4 + 6×8 + 3×2 + 2×1 + 2 + 1 + 1 GiB
// 4 OBS build VMs: 8 + 8 + 4 + 2×2×1 vCPUs; 8192 MiB + 8192 MiB + 8 GiB + 4096 MiB
const expectedVcpus = 20 * 2 + 6 * 6 + 3 * 4 + 2 * 1 + 2 + 2 + 1 + (8 + 8 + 4 + 2 * 2 * 1);
const expectedMemory = (20 * 4 + 6 * 8 + 3 * 2 + 2 * 1 + 2 + 1 + 1) * GiB + 8192 * MiB + 8192 * MiB + 8 * GiB + 4096 * MiB;

describe('headroom serve with vmhost', () => {
  it('serves density from a background refresh, then keeps it with success 0 when libvirt hangs', async () => {
    const configFile = path.join(dir, 'headroom.yml');
    writeFileSync(
      configFile,
      `collectors:\n  vmhost:\n    libvirt_uri: "test+unix://${nodeXml}?socket=${proxy.socketPath}"\n    schedule: 5s\n    timeout: 4s\n`,
    );
    const exporter = await startExporterProcess(['--config', configFile, '--path.procfs', procfs, '--path.sysfs', sysfs, '--path.rootfs', dir]);
    const metricsUrl = `${exporter.url}/metrics`;

    const first = await waitFor(async () => {
      const r = await scrape(metricsUrl);
      return valueOf(r.series, 'headroom_collector_success', { collector: 'vmhost' }) === 1 ? r : undefined;
    }, 'a first successful vmhost refresh');
    expect(valueOf(first.series, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(1);
    expect(valueOf(first.series, 'headroom_vmhost_cpus')).toBe(16);
    expect(valueOf(first.series, 'headroom_vmhost_memory_bytes')).toBe(64 * GiB);
    expect(valueOf(first.series, 'headroom_vmhost_domains', { state: 'shutoff' })).toBe(6);
    expect(valueOf(first.series, 'headroom_vmhost_qemu_processes')).toBe(4);
    expect(valueOf(first.series, 'headroom_vmhost_vcpus_allocated')).toBe(expectedVcpus);
    expect(valueOf(first.series, 'headroom_vmhost_memory_allocated_bytes')).toBe(expectedMemory);
    expect(valueOf(first.series, 'headroom_vmhost_vcpu_overcommit_ratio')).toBeCloseTo(expectedVcpus / 16, 9);
    expect(valueOf(first.series, 'headroom_vmhost_memory_overcommit_ratio')).toBeCloseTo(expectedMemory / (64 * GiB), 9);
    const lint = promtoolCheckMetrics(first.text);
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(first.text).toContain('# HELP headroom_vmhost_vcpus_allocated');

    proxy.setMode('hang');
    const failing = await waitFor(async () => {
      const r = await scrape(metricsUrl);
      return valueOf(r.series, 'headroom_collector_success', { collector: 'vmhost' }) === 0 ? r : undefined;
    }, 'the vmhost refresh to fail on the hanging libvirt').catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nstatus page: ${(await (await fetch(`${exporter.url}/`)).text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(300, 3000)}`);
    });
    // Last good data kept; its age shows in the last-success timestamp, which stopped moving.
    expect(valueOf(failing.series, 'headroom_vmhost_vcpus_allocated')).toBe(expectedVcpus);
    expect(valueOf(failing.series, 'headroom_vmhost_memory_allocated_bytes')).toBe(expectedMemory);
    expect(valueOf(failing.series, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(0);
    const page = await (await fetch(`${exporter.url}/`)).text();
    expect(page).toMatch(/timed out after 4s/);
    expect(exporter.logs.some((l) => l.includes('collection failed') && l.includes('timed out'))).toBe(true);
    proxy.setMode('pass');
    await exporter.stop();
  });

  it('without a config file and without a libvirt daemon, autodetects the qemu processes and reports libvirt unavailable', async () => {
    const exporter = await startExporterProcess(['--path.procfs', procfs, '--path.sysfs', sysfs, '--path.rootfs', dir]);
    const r = await waitFor(async () => {
      const s = await scrape(`${exporter.url}/metrics`);
      return valueOf(s.series, 'headroom_collector_success', { collector: 'vmhost' }) !== undefined ? s : undefined;
    }, 'the vmhost refresh');
    expect(valueOf(r.series, 'headroom_collector_success', { collector: 'vmhost' })).toBe(1);
    expect(valueOf(r.series, 'headroom_collector_source_up', { collector: 'vmhost', source: 'libvirt' })).toBe(0);
    expect(valueOf(r.series, 'headroom_vmhost_cpus')).toBe(16);
    expect(valueOf(r.series, 'headroom_vmhost_qemu_processes')).toBe(4 + 3);
    // 4 OBS build VMs + libvirt's web01, db01, db02 (-smp 2, 6, 6), all unmanaged without libvirt
    expect(valueOf(r.series, 'headroom_vmhost_vcpus_allocated')).toBe(8 + 8 + 4 + 2 * 2 * 1 + 2 + 6 + 6);
    expect(exporter.logs.some((l) => l.includes('libvirt unavailable'))).toBe(true);
    await exporter.stop();
  });

  it('check-config refuses the removed virsh key and a remote libvirt_uri, naming file, line and field, exit 2', () => {
    const configFile = path.join(dir, 'old.yml');
    writeFileSync(configFile, 'collectors:\n  vmhost:\n    virsh: /usr/bin/virsh\n    libvirt_uri: "qemu+ssh://root@vmhost/system"\n');
    const r = spawnSync(process.execPath, [cliPath, 'check-config', configFile], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${configFile}:3:12: collectors.vmhost.virsh: removed: `);
    expect(r.stderr).toContain('delete this key');
    expect(r.stderr).toContain(`${configFile}:4:18: collectors.vmhost.libvirt_uri: transport "ssh" is not supported`);
  });
});
