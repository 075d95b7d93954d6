// headroom generate on the sample estate (deploy/examples/estate.yml), checked by the real
// tools: promtool, amtool, the blackbox exporter's own config check, and real Prometheus
// servers for the hashmod shards. Expected figures come from the sample's construction.
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { collectorModules } from '../../exporters/index.js';
import { loadConfig } from '../../src/config/load.js';
import { configSections } from '../../src/config/sections.js';
import { generateAll } from '../../src/generate.js';
import { artifactGenerators } from '../../src/generators.js';
import { startPrometheus } from '../../sim/stack.js';
import { repoRoot } from '../support/exporter.js';
import { waitFor } from '../support/net.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const sampleFile = path.join(repoRoot, 'deploy/examples/estate.yml');
const dir = tempDir('headroom-estate-');

// The sample, as written in its file: 3 physical hosts, 16 VMs, 8 OBS workers.
const PHYSICAL = ['phys1', 'phys2', 'phys3'];
const VMS = ['shell', 'bugzilla', 'bugzilla-legacy', 'web', 'openqa', 'gerrit', 'obs-frontend', 'obs-backend', 'wiki', 'dns', 'ldap', 'mail', 'vpn', 'puppet', 'mon1', 'mon2'];
const WORKERS = Array.from({ length: 8 }, (_, i) => `obs-w0${i + 1}`);
const ALL_HOSTS = [...PHYSICAL, ...VMS, ...WORKERS];
const SERVICES = 16;

let n = 0;
/** The sample with changes to its estate section, written beside copies of its secrets. */
function variant(change: (estate: Record<string, unknown>) => void): string {
  const doc = parse(readFileSync(sampleFile, 'utf8')) as { estate: Record<string, unknown> };
  change(doc.estate);
  const sub = path.join(dir, `variant-${++n}`);
  cpSync(path.join(path.dirname(sampleFile), 'secrets'), path.join(sub, 'secrets'), { recursive: true });
  const file = path.join(sub, 'headroom.yml');
  writeFileSync(file, stringify(doc));
  return file;
}

async function generateFrom(file: string, out: string) {
  const config = await loadConfig(file, collectorModules, configSections);
  return generateAll(artifactGenerators, config, out);
}

function targetFile(out: string, name: string): Array<{ targets: string[]; labels: Record<string, string> }> {
  return parse(readFileSync(path.join(out, 'targets', name), 'utf8'));
}

function promtoolCheck(file: string) {
  const r = runTool('promtool', ['check', 'config', file]);
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
}

// Generated once, at the file's top level (a describe callback cannot wait).
const out = path.join(dir, 'sample');
const report = await generateFrom(sampleFile, out);

describe('headroom generate on the sample estate', () => {

  it('writes prometheus.yml, a target list per role, node and probe lists and blackbox.yml', async () => {
    const written = report.written.map((f) => path.relative(out, f));
    expect(written).toEqual(
      expect.arrayContaining([
        'prometheus.yml',
        ...['obs-server', 'obs-worker', 'vm-host', 'backup', 'infra-vm', 'monitoring', 'node', 'probes'].map((t) => `targets/${t}.yml`),
        'blackbox.yml',
      ]),
    );
    expect(report.skipped.filter((s) => ['prometheus', 'targets', 'blackbox'].includes(s.name))).toEqual([]);
  });

  it('passes promtool check config (with the rule file the alerting generator writes)', async () => {
    promtoolCheck(path.join(out, 'prometheus.yml'));
  });

  it('lists every host under its roles with its name as instance', async () => {
    const instances = (file: string) => targetFile(out, file).map((g) => g.labels['instance']);
    expect(instances('vm-host.yml')).toEqual(PHYSICAL);
    expect(instances('obs-worker.yml')).toEqual(WORKERS);
    expect(instances('obs-server.yml')).toEqual(['obs-frontend', 'obs-backend']);
    expect(instances('infra-vm.yml')).toEqual(VMS);
    expect(instances('backup.yml')).toEqual(['phys3', 'bugzilla', 'gerrit', 'wiki']);
    expect(instances('monitoring.yml')).toEqual(['mon1', 'mon2']);
    expect(instances('node.yml')).toEqual(ALL_HOSTS);
    // obs-w03 is 203.0.113.13 in the sample; 9847 the exporter port, 9100 node_exporter's.
    expect(targetFile(out, 'obs-worker.yml')[2]).toEqual({ targets: ['203.0.113.13:9847'], labels: { instance: 'obs-w03', roles: 'obs-worker' } });
    expect(targetFile(out, 'node.yml')[2]).toEqual({ targets: ['192.0.2.13:9100'], labels: { instance: 'phys3', roles: 'vm-host,backup' } });
  });

  it('probes every service through the blackbox exporter, instance = service name', async () => {
    const probes = targetFile(out, 'probes.yml');
    expect(probes).toHaveLength(SERVICES);
    const byName = Object.fromEntries(probes.map((g) => [g.labels['instance'], g]));
    expect(byName['ldap']).toEqual({ targets: ['ldap.example.org:636'], labels: { instance: 'ldap', probe: 'tls', __param_module: 'tls_connect' } });
    // ssh without a port: 22; dns without a port: 53.
    expect(byName['shell-ssh']!.targets).toEqual(['shell.example.org:22']);
    expect(byName['dns']).toEqual({ targets: ['ns1.example.org:53'], labels: { instance: 'dns', probe: 'dns', __param_module: 'dns_dns' } });
    expect(byName['obs-api']!.targets).toEqual(['https://api.example.org/about']);

    const prom = parse(readFileSync(path.join(out, 'prometheus.yml'), 'utf8'));
    const job = prom.scrape_configs.find((j: { job_name: string }) => j.job_name === 'blackbox');
    expect(job.metrics_path).toBe('/probe');
    expect(job.relabel_configs).toEqual([
      { source_labels: ['__address__'], target_label: '__param_target' },
      { target_label: '__address__', replacement: '127.0.0.1:9115' },
    ]);
    const blackbox = parse(readFileSync(path.join(out, 'blackbox.yml'), 'utf8'));
    expect(blackbox.modules['dns_dns'].dns.query_name).toBe('example.org');
  });

  it('sends alerts to both Alertmanagers and loads the rules file', async () => {
    const prom = parse(readFileSync(path.join(out, 'prometheus.yml'), 'utf8'));
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['mon1.example.org:9093', 'mon2.example.org:9093']);
    expect(prom.rule_files).toEqual(['rules/*.rules.yml']);
    expect(prom.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(['headroom', 'node', 'blackbox', 'alertmanager']);
  });

  it('blackbox.yml passes the blackbox exporter\'s own config check', async () => {
    const r = runTool('prometheus-blackbox-exporter', ['--config.check', `--config.file=${path.join(out, 'blackbox.yml')}`]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('alertmanager.yml passes amtool check-config', async () => {
    const am = path.join(out, 'alertmanager.yml');
    expect(report.written).toContain(am);
    const r = runTool('amtool', ['check-config', am]);
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});

describe('scaling out', () => {
  it('shards: one config per server, promtool-valid, and real Prometheus servers split the targets between them', async () => {
    const out = path.join(dir, 'sharded');
    await generateFrom(
      variant((e) => {
        (e['prometheus'] as Record<string, unknown>)['shards'] = 2;
        e['remote_write'] = [{ url: 'https://lts.example.org/api/v1/write', basic_auth: { username: 'prometheus', password_file: '/etc/prometheus/lts.pass' } }];
      }),
      out,
    );
    const configs = readdirSync(out).filter((f) => f.startsWith('prometheus')).sort();
    expect(configs).toEqual(['prometheus-shard-0.yml', 'prometheus-shard-1.yml']);
    for (const c of configs) {
      promtoolCheck(path.join(out, c));
      const prom = parse(readFileSync(path.join(out, c), 'utf8'));
      expect(prom.global.external_labels).toEqual({ estate: 'example', shard: c.match(/(\d)/)![1] });
      expect(prom.remote_write).toEqual([{ url: 'https://lts.example.org/api/v1/write', basic_auth: { username: 'prometheus', password_file: '/etc/prometheus/lts.pass' } }]);
    }

    // Each server keeps its share: together every target exactly once. The targets are
    // documentation addresses (down), but relabeling is visible in the active target list.
    const expected = ALL_HOSTS.length /* headroom */ + ALL_HOSTS.length /* node */ + SERVICES + 2; /* alertmanagers */
    const servers = await Promise.all(
      configs.map(async (c, i) => {
        const serverDir = path.join(dir, `shard-server-${i}`);
        cpSync(out, serverDir, { recursive: true });
        return startPrometheus(serverDir, readFileSync(path.join(serverDir, c), 'utf8'));
      }),
    );
    try {
      const activeKeys = async (url: string) => {
        const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: Array<{ labels: Record<string, string> }> } };
        return body.data.activeTargets.map((t) => `${t.labels['job']}/${t.labels['instance']}`);
      };
      // file_sd is read asynchronously: wait until the two servers together hold every target.
      const keys = await waitFor(async () => {
        const both = await Promise.all(servers.map((s) => activeKeys(s.url)));
        return new Set(both.flat()).size === expected ? both : undefined;
      }, 'the shards to load the target lists');
      expect(keys[0]!.length).toBeGreaterThan(0);
      expect(keys[1]!.length).toBeGreaterThan(0);
      // A host listed under several roles is still one target of one shard.
      expect(keys[0]!.filter((k) => keys[1]!.includes(k))).toEqual([]);
      expect(keys[0]!.length + keys[1]!.length).toBe(expected);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  });

  it('per_site: one config per site keeping only that site\'s hosts and services', async () => {
    const out = path.join(dir, 'per-site');
    await generateFrom(
      variant((e) => {
        (e['prometheus'] as Record<string, unknown>)['per_site'] = true;
        for (const h of e['hosts'] as Array<Record<string, unknown>>) h['site'] = String(h['name']).startsWith('obs-w') ? 'farm' : 'dc1';
        for (const s of e['services'] as Array<Record<string, unknown>>) s['site'] = 'dc1';
      }),
      out,
    );
    const configs = readdirSync(out).filter((f) => f.startsWith('prometheus')).sort();
    expect(configs).toEqual(['prometheus-site-dc1.yml', 'prometheus-site-farm.yml']);
    for (const c of configs) promtoolCheck(path.join(out, c));
    const farm = parse(readFileSync(path.join(out, 'prometheus-site-farm.yml'), 'utf8'));
    expect(farm.global.external_labels).toEqual({ estate: 'example', site: 'farm' });
    expect(farm.scrape_configs[0].relabel_configs).toEqual([{ source_labels: ['site'], regex: 'farm', action: 'keep' }]);
    expect(targetFile(out, 'obs-worker.yml')[0]!.labels).toEqual({ instance: 'obs-w01', roles: 'obs-worker', site: 'farm' });
  });
});
