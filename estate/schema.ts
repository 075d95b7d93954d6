// The `estate` config section: what `headroom generate` builds the Prometheus side from —
// the hosts (each runs one headroom exporter), the services to probe, the Alertmanagers and
// how several Prometheus servers share the work. OBS instances and their credentials are not
// here: they live only under collectors.obs.
import { isIP } from 'node:net';
import { z } from 'zod';
import { duration, section } from '../src/config/fields.js';
import { suggestKey } from '../src/config/suggest.js';

/** Host roles; each is one scrape job reading `targets/<role>.yml`. */
export const hostRoles = ['obs-server', 'obs-worker', 'vm-host', 'backup', 'infra-vm', 'monitoring'] as const;
export type HostRole = (typeof hostRoles)[number];

/** Blackbox-exporter probe kinds a service can ask for. */
export const probeKinds = ['http', 'tcp', 'tls', 'dns', 'ssh'] as const;
export type ProbeKind = (typeof probeKinds)[number];

export const DEFAULT_EXPORTER_PORT = 9847;
export const DEFAULT_NODE_EXPORTER_PORT = 9100;
export const DEFAULT_BLACKBOX_ADDRESS = '127.0.0.1:9115';

// Names become label values (instance, service, site) and file names: keep them plain.
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HOSTNAME_RE = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function plainName(what: string) {
  return z
    .string({ error: `expected a ${what} name` })
    .regex(NAME_RE, `a ${what} name uses letters, digits, and . _ - (it becomes a label value)`);
}

/** An IPv4/IPv6 address or a DNS name. */
export function isHostAddress(text: string): boolean {
  return isIP(text) !== 0 || (HOSTNAME_RE.test(text) && !/^[0-9.]+$/.test(text));
}

/** `host:port` with an IPv6 host in brackets; null if malformed. */
export function splitHostPort(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const host = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  if (m[1] !== undefined ? isIP(host) !== 6 : !isHostAddress(host)) return null;
  return { host, port };
}

/** `address:port` as Prometheus wants it (IPv6 in brackets). */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

const port = z.number({ error: 'expected a TCP port number' }).int('expected a TCP port number').min(1).max(65535);

function hostAddress() {
  return z
    .string({ error: 'expected an IP address or host name' })
    .refine(isHostAddress, { error: (issue) => `${JSON.stringify(issue.input)} is not an IP address or host name` });
}

function hostPort(example: string) {
  return z
    .string({ error: `expected host:port such as ${example}` })
    .refine((t) => splitHostPort(t) !== null, { error: (issue) => `${JSON.stringify(issue.input)} is not host:port (such as ${example})` });
}

/** The message for a value outside a closed set, with a "did you mean" like unknown keys get. */
function notOneOf(values: readonly string[], what: string, value: string): string {
  const hint = suggestKey(value, values);
  return `unknown ${what} ${JSON.stringify(value)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; ${what}s: ${values.join(', ')}`;
}

/** A Prometheus duration, kept as milliseconds (written back with formatDuration). */
const promDuration = (fallback: string) => duration({ min: 1000 }).prefault(fallback);

function hostSchema() {
  return section({
    /** The instance label of everything scraped from this host. */
    name: plainName('host'),
    address: hostAddress(),
    roles: z.array(z.string({ error: 'expected a role name' })).min(1, 'give the host at least one role'),
    /** Port of this host's headroom exporter (default estate.exporter_port). */
    port: port.optional(),
    /** For per-site Prometheus servers. */
    site: plainName('site').optional(),
  })
    .superRefine((h, ctx) => {
      // Checked here rather than per element so the message can name the host.
      h.roles.forEach((role, r) => {
        if (!(hostRoles as readonly string[]).includes(role)) {
          ctx.addIssue({ code: 'custom', path: ['roles', r], message: `host ${JSON.stringify(h.name)}: ${notOneOf(hostRoles, 'role', role)}` });
        }
      });
    })
    .transform((h) => h as Omit<typeof h, 'roles'> & { roles: HostRole[] });
}

function serviceSchema() {
  return section({
    /** The instance label of the probe's series. */
    name: plainName('service'),
    probe: z.string({ error: `expected a probe kind: ${probeKinds.join(', ')}` }),
    /** http: a URL; tcp, tls, dns, ssh: host:port (ssh and dns may leave out the port). */
    target: z.string({ error: 'expected the probe target (a URL or host:port)' }).min(1, 'must not be empty'),
    /** dns: the name to resolve (default: the server's own host name). */
    query_name: z.string().min(1).optional(),
    site: plainName('site').optional(),
  })
    .superRefine((svc, ctx) => {
      if (!(probeKinds as readonly string[]).includes(svc.probe)) {
        ctx.addIssue({ code: 'custom', path: ['probe'], message: `service ${JSON.stringify(svc.name)}: ${notOneOf(probeKinds, 'probe kind', svc.probe)}` });
      }
    })
    .transform((svc) => svc as Omit<typeof svc, 'probe'> & { probe: ProbeKind });
}

function remoteWriteSchema() {
  const absolute = z.string().startsWith('/', 'must be an absolute path on the Prometheus host');
  return section({
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://lts.example.org/api/v1/write' }),
    name: plainName('remote_write').optional(),
    /** Read by Prometheus on its own host: not checked here. */
    basic_auth: section({ username: z.string().min(1), password_file: absolute }).optional(),
    bearer_token_file: absolute.optional(),
  }).superRefine((rw, ctx) => {
    if (rw.basic_auth && rw.bearer_token_file) {
      ctx.addIssue({ code: 'custom', message: 'use basic_auth or bearer_token_file, not both', path: ['bearer_token_file'] });
    }
  });
}

export function estateSchema() {
  return section({
    /** Every Prometheus server sends to all of them (an HA pair dedups by itself). */
    alertmanagers: z.array(hostPort('am1.example.org:9093')).default([]),
    exporter_port: port.default(DEFAULT_EXPORTER_PORT),
    /** Also scrape node_exporter on every host (job `node`, targets/node.yml). */
    node_exporter: section({ port: port.default(DEFAULT_NODE_EXPORTER_PORT) }).optional(),
    blackbox: section({ address: hostPort('127.0.0.1:9115').default(DEFAULT_BLACKBOX_ADDRESS) }).prefault({}),
    prometheus: section({
      scrape_interval: promDuration('30s'),
      scrape_timeout: promDuration('10s'),
      evaluation_interval: promDuration('30s'),
      /** Split the targets between N servers by hashmod of their address. */
      shards: z.number().int().min(1).max(64).default(1),
      /** One server per site (hosts and services then need a site); combines with shards. */
      per_site: z.boolean().default(false),
      external_labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a label name'), z.string()).default({}),
    })
      .prefault({})
      .superRefine((p, ctx) => {
        if (p.scrape_timeout > p.scrape_interval) {
          ctx.addIssue({ code: 'custom', message: 'scrape_timeout is longer than scrape_interval', path: ['scrape_timeout'] });
        }
        for (const reserved of ['shard', 'site']) {
          if (reserved in p.external_labels) {
            ctx.addIssue({ code: 'custom', message: `external label ${reserved} is set by headroom generate`, path: ['external_labels', reserved] });
          }
        }
      }),
    /** Long-term storage: every server writes everything it scrapes there. */
    remote_write: z.array(remoteWriteSchema()).default([]),
    hosts: z.array(hostSchema()).default([]),
    services: z.array(serviceSchema()).default([]),
  }).superRefine((estate, ctx) => {
    const seenHosts = new Map<string, number>();
    const seenEndpoints = new Map<string, number>();
    estate.hosts.forEach((h, i) => {
      const first = seenHosts.get(h.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['hosts', i, 'name'], message: `host ${JSON.stringify(h.name)} is listed twice (also hosts[${first}]); host names become the instance label` });
      } else seenHosts.set(h.name, i);
      const endpoint = joinHostPort(h.address, h.port ?? estate.exporter_port);
      const sameEndpoint = seenEndpoints.get(endpoint);
      if (sameEndpoint !== undefined && first === undefined) {
        ctx.addIssue({ code: 'custom', path: ['hosts', i, 'address'], message: `host ${JSON.stringify(h.name)}: ${endpoint} is also the exporter of hosts[${sameEndpoint}] (${estate.hosts[sameEndpoint]!.name})` });
      } else seenEndpoints.set(endpoint, i);
      h.roles.forEach((role, r) => {
        if (h.roles.indexOf(role) !== r) ctx.addIssue({ code: 'custom', path: ['hosts', i, 'roles', r], message: `host ${JSON.stringify(h.name)}: role ${role} is listed twice` });
      });
      if (estate.prometheus.per_site && h.site === undefined) {
        ctx.addIssue({ code: 'custom', path: ['hosts', i, 'site'], message: `host ${JSON.stringify(h.name)} needs a site: prometheus.per_site is on` });
      }
    });
    const seenServices = new Map<string, number>();
    estate.services.forEach((s, i) => {
      const first = seenServices.get(s.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `service ${JSON.stringify(s.name)} is listed twice (also services[${first}])` });
      } else seenServices.set(s.name, i);
      if (!(probeKinds as readonly string[]).includes(s.probe)) return; // reported by the service's own check
      const problem = probeTargetProblem(s.probe, s.target);
      if (problem) ctx.addIssue({ code: 'custom', path: ['services', i, 'target'], message: `service ${JSON.stringify(s.name)}: ${problem}` });
      if (s.query_name !== undefined && s.probe !== 'dns') {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'query_name'], message: `service ${JSON.stringify(s.name)}: query_name is only for dns probes` });
      }
      if (s.probe === 'dns' && s.query_name === undefined && isIP(probeHost(s.probe, s.target) ?? '') !== 0) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'query_name'], message: `service ${JSON.stringify(s.name)}: a dns probe of an IP address needs query_name (the name to resolve)` });
      }
      if (estate.prometheus.per_site && s.site === undefined) {
        ctx.addIssue({ code: 'custom', path: ['services', i, 'site'], message: `service ${JSON.stringify(s.name)} needs a site: prometheus.per_site is on` });
      }
    });
    estate.alertmanagers.forEach((am, i) => {
      if (estate.alertmanagers.indexOf(am) !== i) ctx.addIssue({ code: 'custom', path: ['alertmanagers', i], message: `alertmanager ${am} is listed twice` });
    });
  });
}

/** Default ports for probes whose target may leave the port out. */
const DEFAULT_PROBE_PORT: Partial<Record<ProbeKind, number>> = { ssh: 22, dns: 53 };

/** What is wrong with a probe target for its kind, or null. */
export function probeTargetProblem(kind: ProbeKind, target: string): string | null {
  if (kind === 'http') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return `${JSON.stringify(target)} is not a URL (an http probe takes https://host/path)`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `URL scheme ${url.protocol} is not http or https`;
    if (url.username || url.password) return 'the URL must not contain credentials';
    return null;
  }
  return probeEndpoint(kind, target) === null
    ? `${JSON.stringify(target)} is not host:port${DEFAULT_PROBE_PORT[kind] ? ' or a host name' : ''} (a ${kind} probe)`
    : null;
}

/** host:port a non-http probe connects to, the default port filled in; null if malformed. */
export function probeEndpoint(kind: ProbeKind, target: string): string | null {
  const hp = splitHostPort(target);
  if (hp) return joinHostPort(hp.host, hp.port);
  const fallback = DEFAULT_PROBE_PORT[kind];
  const bare = target.replace(/^\[(.*)\]$/, '$1');
  return fallback !== undefined && isHostAddress(bare) ? joinHostPort(bare, fallback) : null;
}

function probeHost(kind: ProbeKind, target: string): string | null {
  const endpoint = probeEndpoint(kind, target);
  return endpoint ? splitHostPort(endpoint)!.host : null;
}

export type EstateConfig = z.output<ReturnType<typeof estateSchema>>;
export type EstateHost = EstateConfig['hosts'][number];
export type EstateService = EstateConfig['services'][number];
