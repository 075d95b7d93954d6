// Coverage end to end: an estate file (hosts, as headroom generate labels them), a VM host on
// libvirt's test driver seen by the real vmhost collector, backup targets that declare what
// they cover; the collectors' own series go through the generated recording rules in promtool.
// The expected "uncovered" lists come from the estate file and from virsh itself.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { stringify } from 'yaml';
import { RECORDED_BACKUP_UNCOVERED_HOSTS, RECORDED_BACKUP_UNCOVERED_VMS } from '../../alerts/recording.js';
import { estateSchema } from '../../estate/schema.js';
import { roleTargetGroups } from '../../estate/targets.js';
import { createBackupCollector } from '../../exporters/backup/collector.js';
import { backupConfigSchema } from '../../exporters/backup/schema.js';
import { createVmhostCollector } from '../../exporters/vmhost/collector.js';
import { testDriverNodeXml } from '../../sim/libvirt.js';
import { startLibvirtd } from '../../sim/libvirtd.js';
import { silentLogger } from '../../src/log.js';
import { defaultHostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';
import { repoRoot } from '../support/exporter.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-coverage-');

const estate = estateSchema().parse({
  hosts: [
    { name: 'b1', address: '10.0.0.1', roles: ['backup'] },
    { name: 'vh1', address: '10.0.0.2', roles: ['vm-host'] },
    { name: 'web1', address: '10.0.0.3', roles: ['infra-vm'] },
  ],
});

const nodeXml = path.join(dir, 'node.xml');
writeFileSync(
  nodeXml,
  testDriverNodeXml({
    cpu: { nodes: 1, sockets: 1, cores: 4, threads: 1 },
    memoryKiB: 16 * 1024 * 1024,
    domains: [
      { name: 'wiki-vm', uuid: '00000000-0000-4000-8000-000000000001', state: 'running', vcpus: 2, memoryKiB: 2 * 1024 * 1024 },
      { name: 'scratch', uuid: '00000000-0000-4000-8000-000000000002', state: 'shutoff', vcpus: 1, memoryKiB: 1024 * 1024 },
      { name: 'ci-runner', uuid: '00000000-0000-4000-8000-000000000003', state: 'paused', vcpus: 2, memoryKiB: 1024 * 1024 },
    ],
  }),
);

mkdirSync(path.join(dir, 'dumps'));
writeFileSync(path.join(dir, 'dumps', 'wiki.sql.gz'), 'dump');
const backupConfig = backupConfigSchema({ baseDir: dir }).parse({
  targets: [
    { name: 'etc-b1', kind: 'files', path: path.join(dir, 'dumps', '*.gz'), max_age: '26h', covers: { hosts: ['b1', 'vh1'] } },
    { name: 'wiki', kind: 'files', path: path.join(dir, 'dumps', 'wiki*'), max_age: '26h', covers: { vms: ['wiki-vm'], services: ['wiki-http'] } },
  ],
});

function seriesText(name: string, labels: Record<string, string>): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;
}

describe('coverage: estate hosts and libvirt domains no target covers', () => {
  it('the generated rules list exactly the hosts and VMs left out', async () => {
    // The VM host's libvirt: a test-owned libvirtd serving the node above.
    const libvirtd = await startLibvirtd(path.join(dir, 'libvirtd'));
    onTestFinished(() => libvirtd.stop());
    const uri = libvirtd.uri(nodeXml);
    // The collectors as the backup host (b1) and the VM host (vh1) run them.
    const backup = new CollectorRuntime([createBackupCollector(backupConfig)], { paths: defaultHostPaths, log: silentLogger() });
    const vmhost = new CollectorRuntime(
      [createVmhostCollector({ libvirt_uri: uri, schedule: { kind: 'interval', ms: 30_000 }, timeout: 10_000, per_domain: true })],
      { paths: defaultHostPaths, log: silentLogger() },
    );
    await backup.refreshCollector('backup');
    onTestFinished(() => vmhost.stop());
    await vmhost.refreshCollector('vmhost');
    const wanted = new Set(['headroom_backup_covers', 'headroom_vmhost_domain_state']);
    const scraped = [
      ...backup.snapshot().map((s) => ({ s, instance: 'b1' })),
      ...vmhost.snapshot().map((s) => ({ s, instance: 'vh1' })),
    ].filter(({ s }) => wanted.has(s.metric.name));
    // Every estate host's exporter is up under the instance label the generated target files give it.
    const instances = [...new Set([...roleTargetGroups(estate).values()].flat().map((g) => g.labels.instance!))];
    const inputSeries = [
      ...instances.map((instance) => ({ series: seriesText('up', { instance, job: 'headroom' }), values: '1x20' })),
      ...scraped.map(({ s, instance }) => ({ series: seriesText(s.metric.name, { ...s.labels, instance, job: 'headroom' }), values: `${s.value}x20` })),
    ];

    // Independent expectations: the estate's host names, virsh's own domain list from the same daemon.
    const covered = new Set(backupConfig.targets.flatMap((t) => [...(t.covers?.hosts ?? []), ...(t.covers?.vms ?? [])]));
    const uncoveredHosts = estate.hosts.map((h) => h.name).filter((n) => !covered.has(n));
    const virsh = runTool('virsh', ['-r', '-c', uri, 'list', '--all', '--name']);
    expect(virsh.status).toBe(0);
    const uncoveredVms = virsh.stdout.split('\n').map((l) => l.trim()).filter((n) => n !== '' && !covered.has(n));
    expect(uncoveredHosts).toEqual(['web1']);
    expect(uncoveredVms.sort()).toEqual(['ci-runner', 'scratch']);

    const testFile = path.join(dir, 'coverage.test.yml');
    writeFileSync(
      testFile,
      stringify({
        rule_files: [path.join(repoRoot, 'alerts', 'headroom.rules.yml')],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: inputSeries,
            promql_expr_test: [
              {
                expr: RECORDED_BACKUP_UNCOVERED_HOSTS,
                eval_time: '5m',
                exp_samples: uncoveredHosts.map((instance) => ({ labels: seriesText(RECORDED_BACKUP_UNCOVERED_HOSTS, { instance }), value: 1 })),
              },
              {
                expr: RECORDED_BACKUP_UNCOVERED_VMS,
                eval_time: '5m',
                exp_samples: uncoveredVms.map((domain) => ({ labels: seriesText(RECORDED_BACKUP_UNCOVERED_VMS, { domain, instance: 'vh1' }), value: 1 })),
              },
            ],
          },
        ],
      }),
    );
    const r = runTool('promtool', ['test', 'rules', testFile]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    await backup.stop?.();
    await vmhost.stop?.();
  });
});
