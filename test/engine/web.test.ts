import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliPath, startExporterProcess } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const file = (name: string) => path.join(dir, name);
const PASSWORD = 'correct horse battery staple';
let hash: string;

function openssl(...args: string[]) {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** GET over HTTPS trusting the test CA, optionally with a client certificate and basic auth. */
function httpsGet(url: string, opts: { auth?: string; clientCert?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: readFileSync(file('ca.crt')),
        ...(opts.clientCert ? { cert: readFileSync(file('client.crt')), key: readFileSync(file('client.key')) } : {}),
        ...(opts.auth ? { headers: { authorization: `Basic ${Buffer.from(opts.auth).toString('base64')}` } } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
  });
}

beforeAll(() => {
  // A CA, a server certificate for 127.0.0.1 and a client certificate, made by the test.
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=headroom test CA');
  for (const [name, cn, ext] of [
    ['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'prometheus', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), `${ext}\n`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', file(`${name}.ext`));
  }
  hash = bcrypt.hashSync(PASSWORD, 10);
  writeFileSync(
    file('web.yml'),
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${hash}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`,
  );
  writeFileSync(
    file('web-mtls.yml'),
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n`,
  );
});

describe('--web.config.file', () => {
  it('serves HTTPS with basic auth: right password 200, wrong or missing 401, plain HTTP refused', async () => {
    const exporter = await startExporterProcess(['--web.config.file', file('web.yml')]);
    const httpsUrl = exporter.url.replace(/^http:/, 'https:');
    expect(exporter.url).toMatch(/^https:/);
    const ok = await httpsGet(`${httpsUrl}/metrics`, { auth: `prometheus:${PASSWORD}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('headroom_build_info');
    // Twice: the second check is served from the cache of verified credentials.
    expect((await httpsGet(`${httpsUrl}/metrics`, { auth: `prometheus:${PASSWORD}` })).status).toBe(200);
    expect((await httpsGet(`${httpsUrl}/metrics`, { auth: 'prometheus:wrong' })).status).toBe(401);
    expect((await httpsGet(`${httpsUrl}/metrics`, { auth: `somebody:${PASSWORD}` })).status).toBe(401);
    expect((await httpsGet(`${httpsUrl}/metrics`)).status).toBe(401);
    expect((await httpsGet(`${httpsUrl}/`)).status).toBe(401);
    await expect(fetch(exporter.url.replace(/^https:/, 'http:') + '/metrics')).rejects.toThrow();
    // Neither the password nor its hash reaches the logs.
    const logs = exporter.logs.join('\n');
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(hash);
    await exporter.stop();
  });

  it('sends the configured extra headers', async () => {
    const exporter = await startExporterProcess(['--web.config.file', file('web.yml')]);
    const res = await new Promise<Record<string, unknown>>((resolve, reject) => {
      https
        .get(`${exporter.url}/healthz`, { ca: readFileSync(file('ca.crt')), headers: { authorization: `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString('base64')}` } }, (r) => {
          r.resume();
          resolve(r.headers);
        })
        .on('error', reject);
    });
    expect(res['x-frame-options']).toBe('deny');
    await exporter.stop();
  });

  it('requires a client certificate signed by the client CA with RequireAndVerifyClientCert', async () => {
    const exporter = await startExporterProcess(['--web.config.file', file('web-mtls.yml')]);
    expect((await httpsGet(`${exporter.url}/metrics`, { clientCert: true })).status).toBe(200);
    await expect(httpsGet(`${exporter.url}/metrics`)).rejects.toThrow();
    await exporter.stop();
  });

  it.each([
    ['a plain-text password', 'basic_auth_users:\n  prometheus: hunter2hunter2\n', /basic_auth_users\.prometheus: must be a bcrypt hash/],
    ['a missing certificate', 'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n', /tls_server_config\.cert_file: cannot read .*nope\.crt: does not exist/],
    ['an unknown key', 'tls_server_config:\n  cert_file: server.crt\n  keyfile: server.key\n', /unknown key "keyfile" \(did you mean "key_file"\?\)/],
    ['verification without a CA', 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n', /client_ca_file is required/],
  ])('reports %s like a bad config (exit 2), never echoing the secret', (_what, text, message) => {
    const bad = file(`bad-${Math.random()}.yml`);
    writeFileSync(bad, text);
    const r = spawnSync(process.execPath, [cliPath, 'serve', '--web.listen-address', '127.0.0.1:0', '--web.config.file', bad], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).not.toContain('hunter2hunter2');
  });
});
