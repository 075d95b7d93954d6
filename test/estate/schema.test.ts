// Estate config errors go through the usual path: FILE:LINE:COL: estate.hosts[N]...: and name
// the host or service at fault.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorModules } from '../../exporters/index.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { configSections } from '../../src/config/sections.js';
import { estateOf } from '../../estate/section.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-estate-schema-');
let n = 0;
function write(text: string): string {
  const file = path.join(dir, `estate-${++n}.yml`);
  writeFileSync(file, text);
  return file;
}
async function problemsOf(text: string): Promise<{ file: string; problems: string[] }> {
  const file = write(text);
  try {
    await loadConfig(file, collectorModules, configSections);
  } catch (err) {
    if (err instanceof ConfigError) return { file, problems: [...err.problems] };
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const HOSTS = `estate:
  hosts:
    - { name: phys1, address: 192.0.2.1, roles: [ vm-host ] }
    - { name: obs-w01, address: 203.0.113.1, roles: [ obs-worker ] }
`;

describe('estate section', () => {
  it('fills in defaults', async () => {
    const config = await loadConfig(write(HOSTS), collectorModules, configSections);
    const estate = estateOf(config)!;
    expect(estate.exporter_port).toBe(9847);
    expect(estate.blackbox.address).toBe('127.0.0.1:9115');
    expect(estate.prometheus).toEqual({ scrape_interval: 30_000, scrape_timeout: 10_000, evaluation_interval: 30_000, shards: 1, per_site: false, external_labels: {} });
    expect(estate.alertmanagers).toEqual([]);
    expect(estate.node_exporter).toBeUndefined();
  });

  it('a duplicate host name names the host, at the second entry', async () => {
    const { file, problems } = (await problemsOf(`${HOSTS}    - { name: phys1, address: 192.0.2.2, roles: [ backup ] }\n`));
    expect(problems).toEqual([`${file}:5:15: estate.hosts[2].name: host "phys1" is listed twice (also hosts[0]); host names become the instance label`]);
  });

  it('an unknown role suggests the closest one and lists the roles', async () => {
    const { file, problems } = (await problemsOf(`${HOSTS}    - { name: obs-w02, address: 203.0.113.2, roles: [ obs-wroker ] }\n`));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${file}:5:`);
    expect(problems[0]).toContain('estate.hosts[2].roles[0]: host "obs-w02": unknown role "obs-wroker" (did you mean "obs-worker"?)');
    expect(problems[0]).toContain('roles: obs-server, obs-worker, vm-host, backup, infra-vm, monitoring');
  });

  it('a bad address, two hosts on one exporter endpoint, an unknown key', async () => {
    expect((await problemsOf(`${HOSTS}    - { name: w2, address: "192.0.2.300", roles: [ obs-worker ] }\n`)).problems[0]).toMatch(
      /:5:\d+: estate\.hosts\[2\]\.address: "192\.0\.2\.300" is not an IP address or host name$/,
    );
    expect((await problemsOf(`${HOSTS}    - { name: w2, address: 192.0.2.1, roles: [ backup ] }\n`)).problems).toEqual([
      expect.stringMatching(/estate\.hosts\[2\]\.address: host "w2": 192\.0\.2\.1:9847 is also the exporter of hosts\[0\] \(phys1\)$/),
    ]);
    // Another port for the second exporter is fine.
    await expect(loadConfig(write(`${HOSTS}    - { name: w2, address: 192.0.2.1, port: 9848, roles: [ backup ] }\n`), collectorModules, configSections)).resolves.toBeDefined();
    expect((await problemsOf(`${HOSTS}    - { name: w2, adress: 192.0.2.9, roles: [ backup ] }\n`)).problems.join('\n')).toContain(
      'estate.hosts[2].adress: unknown key "adress" (did you mean "address"?)',
    );
  });

  it('service errors name the service: unknown probe kind, bad target, duplicate', async () => {
    const services = async (lines: string) => (await problemsOf(`${HOSTS}  services:\n${lines}`)).problems;
    expect((await services('    - { name: wiki, probe: htp, target: "https://wiki.example.org/" }\n'))[0]).toContain(
      'estate.services[0].probe: service "wiki": unknown probe kind "htp" (did you mean "http"?); probe kinds: http, tcp, tls, dns, ssh',
    );
    expect((await services('    - { name: ldap, probe: tls, target: "ldap.example.org" }\n'))[0]).toMatch(
      /estate\.services\[0\]\.target: service "ldap": "ldap\.example\.org" is not host:port \(a tls probe\)$/,
    );
    expect((await services('    - { name: wiki, probe: http, target: "wiki.example.org" }\n'))[0]).toContain('estate.services[0].target: service "wiki": "wiki.example.org" is not a URL');
    expect((await services('    - { name: dns, probe: dns, target: "192.0.2.53" }\n'))[0]).toContain('estate.services[0].query_name: service "dns": a dns probe of an IP address needs query_name');
    expect(
      (await services('    - { name: wiki, probe: http, target: "https://wiki.example.org/" }\n    - { name: wiki, probe: tcp, target: "wiki.example.org:443" }\n')),
    ).toEqual([expect.stringMatching(/:7:\d+: estate\.services\[1\]\.name: service "wiki" is listed twice \(also services\[0\]\)$/)]);
  });

  it('per_site needs a site on every host; alertmanagers are host:port; remote_write is a URL', async () => {
    expect((await problemsOf(`${HOSTS}  prometheus: { per_site: true }\n`)).problems).toEqual([
      expect.stringContaining('estate.hosts[0].site: host "phys1" needs a site: prometheus.per_site is on'),
      expect.stringContaining('estate.hosts[1].site: host "obs-w01" needs a site: prometheus.per_site is on'),
    ]);
    expect((await problemsOf(`${HOSTS}  alertmanagers: [ "am1.example.org" ]\n`)).problems[0]).toContain(
      'estate.alertmanagers[0]: "am1.example.org" is not host:port (such as am1.example.org:9093)',
    );
    expect((await problemsOf(`${HOSTS}  remote_write: [ { url: "lts.example.org" } ]\n`)).problems[0]).toContain('estate.remote_write[0].url: expected an http(s) URL');
  });
});
