import { readFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';
import { createObsCollector } from '../../exporters/obs/collector.js';
import { obsConfigSchema } from '../../exporters/obs/schema.js';
import { startObsSimulator, type ObsSimulator } from '../../sim/obs/server.js';
import { runTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { fixture } from './helpers.js';

const dir = tempDir('headroom-obs-tls-');
let sim: ObsSimulator;

beforeAll(async () => {
  // A self-signed certificate for 127.0.0.1, made with the real openssl.
  const made = runTool('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=obs-simulator',
    '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'ca.pem'),
  ]);
  expect(made.status, made.stderr).toBe(0);
  sim = await startObsSimulator({
    workerStatus: fixture('workerstatus.docs-example.xml'),
    tls: { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'ca.pem'), 'utf8') },
  });
});
afterAll(() => sim?.close());

async function poll(tlsConfig: Record<string, unknown>) {
  const config = obsConfigSchema({ baseDir: dir }).parse({ instances: [{ name: 'secure', url: sim.url, tls_config: tlsConfig }] });
  const runtime = new CollectorRuntime([createObsCollector(config)], { paths: defaultHostPaths, log: silentLogger() });
  await runtime.refreshCollector('obs');
  const samples = runtime.snapshot();
  await runtime.stop();
  const up = samples.find((s) => s.metric.name === 'headroom_collector_source_up' && s.labels.source === 'secure')!.value;
  const waiting = samples.find((s) => s.metric.name === 'headroom_obs_jobs_waiting' && s.labels.arch === 'i586')?.value;
  return { up, waiting, error: runtime.status()[0]!.sources[0]!.lastError };
}

describe('OBS over HTTPS', () => {
  it('refuses a certificate it cannot verify, and says how to fix it', async () => {
    const r = await poll({});
    expect(r.up).toBe(0);
    expect(r.error).toMatch(/OBS instance "secure": GET https:\/\/127\.0\.0\.1:\d+\/worker\/_status: TLS error: .*self.signed.*set tls_config\.ca_file/);
  });

  it('trusts the CA given in tls_config.ca_file', async () => {
    const r = await poll({ ca_file: 'ca.pem' });
    expect(r).toMatchObject({ up: 1, waiting: 2160 });
  });

  it('skips verification only when asked', async () => {
    const r = await poll({ insecure_skip_verify: true });
    expect(r).toMatchObject({ up: 1, waiting: 2160 });
  });

  it('fails clearly when the CA file cannot be read', async () => {
    const r = await poll({ ca_file: 'missing-ca.pem' });
    expect(r.up).toBe(0);
    expect(r.error).toMatch(/cannot read tls_config\.ca_file: .*missing-ca\.pem does not exist/);
  });
});
