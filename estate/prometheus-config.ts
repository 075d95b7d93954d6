// prometheus.yml for the estate: scrape jobs over the file-based target lists, the rule file,
// the Alertmanagers and remote_write. Several servers can share the estate with Prometheus'
// own means: one config per site and/or per hashmod shard, each keeping its part of every
// target list. Pure: config in, YAML text out.
import { stringify } from 'yaml';
import { formatDuration } from '../src/units.js';
import { BLACKBOX_FILE } from './blackbox.js';
import type { EstateConfig } from './schema.js';
import { NODE_TARGET_FILE, PROBE_TARGET_FILE, roleTargetFile, rolesInUse } from './targets.js';

/**
 * The alerting generator writes rules/headroom.rules.yml. prometheus.yml names it by a glob:
 * a glob that matches nothing is valid (a plain path to a missing file fails promtool), so the
 * config stays valid when no rules were generated, and rule files added beside it load too.
 * Prometheus resolves it from prometheus.yml's folder.
 */
export const RULES_GLOB = 'rules/*.rules.yml';
/** The job of every headroom exporter (what the alert rules select `up` by). */
export const HEADROOM_JOB = 'headroom';

/** One Prometheus server's share of the estate. */
export interface PrometheusServer {
  /** Output file, relative to the output folder. */
  file: string;
  site: string | null;
  /** Shard number, or null when the estate is not sharded. */
  shard: number | null;
}

/** Sites named by hosts and services, sorted. */
export function sitesOf(estate: EstateConfig): string[] {
  const sites = new Set<string>();
  for (const x of [...estate.hosts, ...estate.services]) if (x.site !== undefined) sites.add(x.site);
  return [...sites].sort();
}

export function prometheusServers(estate: EstateConfig): PrometheusServer[] {
  const { shards, per_site } = estate.prometheus;
  const sites: Array<string | null> = per_site ? sitesOf(estate) : [null];
  const shardList: Array<number | null> = shards > 1 ? Array.from({ length: shards }, (_, i) => i) : [null];
  const servers: PrometheusServer[] = [];
  for (const site of sites) {
    for (const shard of shardList) {
      const parts = [site !== null ? `site-${site}` : null, shard !== null ? `shard-${shard}` : null].filter(Boolean);
      servers.push({ file: parts.length ? `prometheus-${parts.join('-')}.yml` : 'prometheus.yml', site, shard });
    }
  }
  return servers;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Relabel rules that keep this server's part of a job's targets. They come first, while
 * __address__ is still the target itself (before the blackbox rewrite), so every server
 * computes the same hash for a target.
 */
function shareFilter(server: PrometheusServer, shards: number, bySite: boolean): object[] {
  const rules: object[] = [];
  if (bySite && server.site !== null) rules.push({ source_labels: ['site'], regex: escapeRegex(server.site), action: 'keep' });
  if (server.shard !== null) {
    rules.push(
      { source_labels: ['__address__'], modulus: shards, target_label: '__tmp_hashmod', action: 'hashmod' },
      { source_labels: ['__tmp_hashmod'], regex: String(server.shard), action: 'keep' },
    );
  }
  return rules;
}

function withRelabel(job: Record<string, unknown>, rules: object[]): Record<string, unknown> {
  return rules.length ? { ...job, relabel_configs: rules } : job;
}

export function prometheusConfig(estate: EstateConfig, server: PrometheusServer): Record<string, unknown> {
  const p = estate.prometheus;
  const filter = shareFilter(server, p.shards, true);
  // Alertmanagers carry no site: every site's server scrapes them (shards still split them).
  const shardOnly = shareFilter(server, p.shards, false);

  const externalLabels: Record<string, string> = { ...p.external_labels };
  if (server.site !== null) externalLabels['site'] = server.site;
  // Recording rules give the same series on every shard: the label keeps them apart in remote storage.
  if (server.shard !== null) externalLabels['shard'] = String(server.shard);

  const global: Record<string, unknown> = {
    scrape_interval: formatDuration(p.scrape_interval),
    scrape_timeout: formatDuration(p.scrape_timeout),
    evaluation_interval: formatDuration(p.evaluation_interval),
  };
  if (Object.keys(externalLabels).length) global['external_labels'] = externalLabels;

  const scrapeConfigs: Array<Record<string, unknown>> = [];
  const roles = rolesInUse(estate);
  if (roles.length) {
    scrapeConfigs.push(withRelabel({ job_name: HEADROOM_JOB, file_sd_configs: [{ files: roles.map(roleTargetFile) }] }, filter));
  }
  if (estate.node_exporter && estate.hosts.length) {
    scrapeConfigs.push(withRelabel({ job_name: 'node', file_sd_configs: [{ files: [NODE_TARGET_FILE] }] }, filter));
  }
  if (estate.services.length) {
    scrapeConfigs.push({
      job_name: 'blackbox',
      metrics_path: '/probe',
      file_sd_configs: [{ files: [PROBE_TARGET_FILE] }],
      relabel_configs: [
        ...filter,
        { source_labels: ['__address__'], target_label: '__param_target' },
        { target_label: '__address__', replacement: estate.blackbox.address },
      ],
    });
  }
  if (estate.alertmanagers.length) {
    scrapeConfigs.push(withRelabel({ job_name: 'alertmanager', static_configs: [{ targets: [...estate.alertmanagers] }] }, shardOnly));
  }

  const config: Record<string, unknown> = { global };
  // Every server alerts to every Alertmanager; an HA pair deduplicates by itself.
  if (estate.alertmanagers.length) config['alerting'] = { alertmanagers: [{ static_configs: [{ targets: [...estate.alertmanagers] }] }] };
  config['rule_files'] = [RULES_GLOB];
  config['scrape_configs'] = scrapeConfigs;
  if (estate.remote_write.length) {
    config['remote_write'] = estate.remote_write.map((rw) => {
      const out: Record<string, unknown> = { url: rw.url };
      if (rw.name !== undefined) out['name'] = rw.name;
      if (rw.basic_auth) out['basic_auth'] = { ...rw.basic_auth };
      if (rw.bearer_token_file !== undefined) out['authorization'] = { credentials_file: rw.bearer_token_file };
      return out;
    });
  }
  return config;
}

export function renderPrometheusConfig(estate: EstateConfig, server: PrometheusServer): string {
  const who = [server.site !== null ? `site ${server.site}` : null, server.shard !== null ? `shard ${server.shard} of ${estate.prometheus.shards}` : null]
    .filter(Boolean)
    .join(', ');
  const header = [
    '# Generated by headroom generate from the estate section; edit the config, not this file.',
    `# Prometheus server: ${who || 'the whole estate'}. Target lists, ${RULES_GLOB} and ${BLACKBOX_FILE} are in this folder.`,
  ];
  return `${header.join('\n')}\n${stringify(prometheusConfig(estate, server), { lineWidth: 0 })}`;
}
