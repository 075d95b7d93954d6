// File-based target lists (Prometheus file_sd): one file per host role, one for node_exporter
// and one for the blackbox probes. Pure: config in, target groups out.
import { hostRoles, joinHostPort, probeEndpoint, type EstateConfig, type EstateService, type HostRole } from './schema.js';
import { blackboxModuleFor } from './blackbox.js';

/** One file_sd target group. */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** Where each target list is written, relative to the output folder (and to prometheus.yml). */
export const roleTargetFile = (role: HostRole) => `targets/${role}.yml`;
export const NODE_TARGET_FILE = 'targets/node.yml';
export const PROBE_TARGET_FILE = 'targets/probes.yml';

/**
 * Labels that identify a host everywhere: the instance label is its name, not address:port,
 * so headroom, node_exporter and probe series of one host join on `instance`.
 */
function hostLabels(host: EstateConfig['hosts'][number]): Record<string, string> {
  // The same labels in every role file a host is listed in: Prometheus then scrapes it once
  // (identical targets of one job are one target), whatever number of roles it has.
  const labels: Record<string, string> = { instance: host.name, roles: host.roles.join(',') };
  if (host.site !== undefined) labels['site'] = host.site;
  return labels;
}

/** Roles that at least one host has, in the fixed role order. */
export function rolesInUse(estate: EstateConfig): HostRole[] {
  return hostRoles.filter((role) => estate.hosts.some((h) => h.roles.includes(role)));
}

/** role → the headroom exporters of the hosts that have it. */
export function roleTargetGroups(estate: EstateConfig): Map<HostRole, TargetGroup[]> {
  const out = new Map<HostRole, TargetGroup[]>();
  for (const role of rolesInUse(estate)) {
    out.set(
      role,
      estate.hosts
        .filter((h) => h.roles.includes(role))
        .map((h) => ({ targets: [joinHostPort(h.address, h.port ?? estate.exporter_port)], labels: hostLabels(h) })),
    );
  }
  return out;
}

export function nodeTargetGroups(estate: EstateConfig, port: number): TargetGroup[] {
  return estate.hosts.map((h) => ({ targets: [joinHostPort(h.address, port)], labels: hostLabels(h) }));
}

/** What the blackbox exporter is asked to probe: a URL for http, host:port otherwise. */
export function probeTarget(service: EstateService): string {
  return service.probe === 'http' ? service.target : probeEndpoint(service.probe, service.target)!;
}

/**
 * One group per service. The module goes in as `__param_module` so one scrape job serves
 * every probe kind; `instance` is the service name.
 */
export function probeTargetGroups(estate: EstateConfig): TargetGroup[] {
  return estate.services.map((s) => {
    const labels: Record<string, string> = { instance: s.name, probe: s.probe, __param_module: blackboxModuleFor(s) };
    if (s.site !== undefined) labels['site'] = s.site;
    return { targets: [probeTarget(s)], labels };
  });
}
