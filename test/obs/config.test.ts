import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { obsTiming, type ObsInstanceConfig } from '../../exporters/obs/config.js';
import { obsModule } from '../../exporters/obs/index.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-obs-config-');
writeFileSync(path.join(dir, 'obs.pass'), 'pw\n');

async function load(yaml: string) {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  return loadConfig(file, [obsModule]);
}

async function problems(yaml: string): Promise<string> {
  try {
    await load(yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('collectors.obs config', () => {
  it('fills in the defaults', async () => {
    const config = await load('collectors:\n  obs:\n    instances:\n      - { name: community, url: "https://api.example.org", username: monitor, password_file: obs.pass }\n');
    const obs = config.collectors.get('obs') as { instances: Array<Record<string, unknown>> };
    expect(obs.instances[0]).toMatchObject({
      name: 'community',
      schedule: { kind: 'interval', ms: 30_000 },
      max_response_size: 16 * 1024 * 1024,
      tls_config: { insecure_skip_verify: false },
      projects: [],
      password_file: path.join(dir, 'obs.pass'),
    });
    // The timeout default is applied when the source is built, cut to the schedule.
    expect(obs.instances[0]!['timeout']).toBeUndefined();
    expect(obsTiming.resolve(obs.instances[0] as ObsInstanceConfig).timeoutMs).toBe(10_000);
  });

  it('reads every key', async () => {
    const config = await load(
      'collectors:\n  obs:\n    instances:\n      - name: qa\n        url: http://obs.internal:5352\n        schedule: 1m\n        timeout: 20s\n        max_response_size: 64MiB\n        tls_config: { ca_file: ca.pem, insecure_skip_verify: true }\n        projects: [ "Mer:Core" ]\n',
    );
    const obs = config.collectors.get('obs') as { instances: Array<Record<string, unknown>> };
    expect(obs.instances[0]).toMatchObject({
      schedule: { kind: 'interval', ms: 60_000 },
      timeout: 20_000,
      max_response_size: 64 * 1024 * 1024,
      tls_config: { ca_file: path.join(dir, 'ca.pem'), insecure_skip_verify: true },
      projects: ['Mer:Core'],
    });
  });

  it('rejects typos, credentials in the URL, half an auth pair and duplicate names', async () => {
    expect(await problems('collectors:\n  obs:\n    instances:\n      - { name: a, url: "https://x.org", timout: 5s }\n')).toMatch(/unknown key "timout" \(did you mean "timeout"\?\)/);
    expect(await problems('collectors:\n  obs:\n    instances:\n      - { name: a, url: "https://u:p@x.org" }\n')).toMatch(/must not contain credentials/);
    expect(await problems('collectors:\n  obs:\n    instances:\n      - { name: a, url: "https://x.org", username: monitor }\n')).toMatch(/password_file: username and password_file go together/);
    expect(await problems('collectors:\n  obs:\n    instances:\n      - { name: a, url: "https://x.org", username: m, password_file: missing.pass }\n')).toMatch(/secret file .*missing\.pass does not exist/);
    expect(await problems('collectors:\n  obs:\n    instances:\n      - { name: a, url: "https://x.org" }\n      - { name: a, url: "https://y.org" }\n')).toMatch(/instances\[1\]\.name: instance name "a" is used twice/);
    expect(await problems('collectors:\n  obs:\n    instances: []\n')).toMatch(/at least one OBS instance/);
    expect(await problems('collectors:\n  obs:\n    instances:\n      - { name: a, url: "ftp://x.org" }\n')).toMatch(/scheme ftp: is not supported/);
  });
});
