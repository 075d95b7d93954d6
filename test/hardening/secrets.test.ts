// Secrets never leave (issue 11, item 4): one run of `headroom serve` with secrets everywhere
// (OBS password_file, restic password_file, borg passphrase_file, bcrypt web users), driven
// through the failures that tend to leak them — wrong OBS password (401), wrong restic
// password, wrong borg passphrase, bad basic-auth attempts, invalid reloads, config and web
// config errors — then every output is searched: logs, /metrics, /, /healthz, 401 bodies,
// reload answers and the CLI's error output. No password, passphrase, bcrypt hash, or the
// base64 of user:password appears anywhere.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEstate, type Estate } from '../../bench/soak.js';
import { cliPath, startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { parseMetricsText, valueOf } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';

// Unique, recognisable strings: any appearance in an output is a leak.
const OBS_PASSWORD = 'Leak-OBS-password-q7Zx1';
const OBS_WRONG = 'Leak-OBS-wrong-password-k3Rt8';
const RESTIC_PASSWORD = 'Leak-RESTIC-password-m2Vb6';
const RESTIC_WRONG = 'Leak-RESTIC-wrong-password-w9Hj4';
const BORG_PASSPHRASE = 'Leak-BORG-passphrase-p5Nc3';
const BORG_WRONG = 'Leak-BORG-wrong-passphrase-t1Ls0';
const WEB_PASSWORD = 'Leak-WEB-password-y8Qd2';
const WEB_WRONG = 'Leak-WEB-wrong-password-u4Fe7';
const WEB_PLAINTEXT = 'Leak-WEB-plaintext-in-config-g6Ws5';
const WEB_USER = 'prometheus';
// Cost 4 keeps the test quick; the exporter treats every cost alike.
const WEB_HASH = bcrypt.hashSync(WEB_PASSWORD, 4);

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AUTH = { Authorization: basic(WEB_USER, WEB_PASSWORD) };

/** Everything that must never appear, with what it is (for the failure message). */
const SECRETS: Record<string, string> = {
  'OBS password': OBS_PASSWORD,
  'wrong OBS password': OBS_WRONG,
  'OBS Authorization (right)': Buffer.from(`monitor:${OBS_PASSWORD}`).toString('base64'),
  'OBS Authorization (wrong)': Buffer.from(`monitor:${OBS_WRONG}`).toString('base64'),
  'restic password': RESTIC_PASSWORD,
  'wrong restic password': RESTIC_WRONG,
  'borg passphrase': BORG_PASSPHRASE,
  'wrong borg passphrase': BORG_WRONG,
  'web password': WEB_PASSWORD,
  'wrong web password': WEB_WRONG,
  'plain-text password in a web config': WEB_PLAINTEXT,
  'bcrypt hash': WEB_HASH,
  // The hash's salt and digest alone, in case a message quotes part of it.
  'bcrypt hash body': WEB_HASH.slice(7),
  'web Authorization (wrong)': Buffer.from(`${WEB_USER}:${WEB_WRONG}`).toString('base64'),
};

let estate: Estate;
let exporter: ExporterProcess;
let dir: string;
/** Every output collected during the run, labelled by where it came from. */
const outputs: Array<{ where: string; text: string }> = [];
const keep = (where: string, text: string) => outputs.push({ where, text });

afterAll(async () => {
  await exporter?.stop('SIGKILL');
  await estate?.close();
});

beforeAll(async () => {
  dir = tempDir('headroom-hardening-secrets-');
  estate = await buildEstate(dir, {
    scheduleSeconds: 2, // a 2s timeout, as before: timeouts must fit the schedule
    backupScheduleSeconds: 5, // restic and borg need more than 2s on a busy machine
    secrets: { obsPassword: OBS_PASSWORD, resticPassword: RESTIC_PASSWORD, borgPassphrase: BORG_PASSPHRASE },
  });
  writeFileSync(path.join(dir, 'web.yml'), `basic_auth_users:\n  ${WEB_USER}: ${WEB_HASH}\n`);
  exporter = await startExporterProcess([...estate.serveArgs, '--web.config.file', path.join(dir, 'web.yml'), '--web.enable-lifecycle']);
});

async function get(pathname: string, headers: Record<string, string> = AUTH, method = 'GET'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${exporter.url}${pathname}`, { headers, method });
  const text = await res.text();
  keep(`${method} ${pathname} (${res.status})`, text + JSON.stringify([...res.headers]));
  return { status: res.status, text };
}

async function waitForMetric(what: string, ok: (text: string) => boolean): Promise<void> {
  await waitFor(async () => (ok((await get('/metrics')).text) ? true : undefined), what, 30_000);
}

const metric = (text: string, name: string, labels: Record<string, string> = {}) => valueOf(parseMetricsText(text), name, labels);

describe('a run with secrets everywhere', () => {
  it('works with the right secrets', async () => {
    await waitForMetric('OBS and every backup target up', (t) =>
      metric(t, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' }) === 1 &&
      ['bugzilla', 'wiki', 'gerrit-dumps', 'etc'].every((target) => metric(t, 'headroom_collector_source_up', { collector: 'backup', source: target }) === 1),
    );
  });

  it('wrong OBS password: 401, reported without the password', async () => {
    writeFileSync(path.join(dir, 'obs.pass'), `${OBS_WRONG}\n`);
    await waitForMetric('OBS down on 401', (t) => metric(t, 'headroom_collector_source_up', { collector: 'obs', source: 'sim' }) === 0);
    expect((await get('/')).text).toMatch(/HTTP 401/);
    expect(estate.obs.requests.some((r) => !r.authorized)).toBe(true);
  });

  it('wrong restic password and wrong borg passphrase: reported without either', async () => {
    writeFileSync(path.join(dir, 'restic.pass'), `${RESTIC_WRONG}\n`);
    writeFileSync(path.join(dir, 'borg.pass'), `${BORG_WRONG}\n`);
    await waitForMetric('both repositories failing', (t) =>
      metric(t, 'headroom_collector_source_up', { collector: 'backup', source: 'bugzilla' }) === 0 && metric(t, 'headroom_collector_source_up', { collector: 'backup', source: 'wiki' }) === 0,
    );
    const page = (await get('/')).text;
    expect(page).toMatch(/wrong password/);
    expect(page).toMatch(/wrong passphrase/);
  });

  it('bad basic-auth attempts get 401 and say nothing about the credentials', async () => {
    for (const headers of [{} as Record<string, string>, { Authorization: basic(WEB_USER, WEB_WRONG) }, { Authorization: basic('nobody', WEB_PASSWORD) }, { Authorization: `Basic ${WEB_HASH}` }]) {
      for (const p of ['/metrics', '/', '/-/reload']) {
        const r = await get(p, headers, p === '/-/reload' ? 'POST' : 'GET');
        expect(r.status, `${p} ${JSON.stringify(headers)}`).toBe(401);
      }
    }
  });

  it('invalid reloads answer 500 with the problem, never a secret', async () => {
    const config = readFileSync(estate.configFile, 'utf8');
    // A secret file that does not exist, and a web config holding a plain-text password.
    writeFileSync(estate.configFile, config.replace(path.join(dir, 'restic.pass'), path.join(dir, 'missing.pass')));
    const missing = await get('/-/reload', AUTH, 'POST');
    expect(missing.status).toBe(500);
    expect(missing.text).toMatch(/missing\.pass does not exist/);
    writeFileSync(estate.configFile, config);
    writeFileSync(path.join(dir, 'web.yml'), `basic_auth_users:\n  ${WEB_USER}: ${WEB_PLAINTEXT}\n`);
    const plain = await get('/-/reload', AUTH, 'POST');
    expect(plain.status).toBe(500);
    expect(plain.text).toMatch(/must be a bcrypt hash/);
    writeFileSync(path.join(dir, 'web.yml'), `basic_auth_users:\n  ${WEB_USER}: ${WEB_HASH}\n`);
    expect((await get('/-/reload', AUTH, 'POST')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(200);
  });

  it('config and web config errors on the command line name files, never contents', () => {
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000 });
      keep(`headroom ${args.join(' ')}`, r.stdout + r.stderr);
      return r;
    };
    // A web config whose YAML breaks on the very line holding the hash (parsers like to quote it).
    const broken = path.join(dir, 'web-broken.yml');
    writeFileSync(broken, `basic_auth_users:\n  ${WEB_USER}: "${WEB_HASH}\n  other: [\n`);
    const plain = path.join(dir, 'web-plain.yml');
    writeFileSync(plain, `basic_auth_users:\n  ${WEB_USER}: ${WEB_PLAINTEXT}\n`);
    const unknownKey = path.join(dir, 'web-unknown.yml');
    writeFileSync(unknownKey, `basic_auth_users:\n  ${WEB_USER}: ${WEB_HASH}\nbasic_auth_user:\n  ${WEB_USER}: ${WEB_HASH}\n`);
    for (const file of [broken, plain, unknownKey]) {
      const r = run(['serve', '--web.listen-address', '127.0.0.1:0', '--web.config.file', file]);
      expect(r.status, file).toBe(2);
      expect(r.stderr, file).toContain(file);
    }
    // A config naming a secret file that is missing, and one that is a directory.
    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, readFileSync(estate.configFile, 'utf8').replace(path.join(dir, 'borg.pass'), path.join(dir, 'nope.pass')));
    const r = run(['check-config', bad]);
    expect(r.status).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/nope\.pass does not exist/);
    expect(run(['check-config', estate.configFile]).status).toBe(0);
  });

  it('no output of the run contains a secret', async () => {
    await get('/metrics');
    await get('/');
    await get('/healthz');
    keep('exporter logs', exporter.logs.join('\n'));
    // Sanity: the search is over real material, and it does find a planted secret.
    const all = outputs.map((o) => o.text).join('\n');
    expect(all).toContain('headroom_obs_jobs_waiting');
    expect(all).toMatch(/wrong passphrase/);
    expect(`x${OBS_PASSWORD}x`.includes(SECRETS['OBS password']!)).toBe(true);
    const leaks = outputs.flatMap(({ where, text }) =>
      Object.entries(SECRETS)
        .filter(([, secret]) => text.includes(secret))
        .map(([what]) => `${what} in ${where}`),
    );
    expect(leaks).toEqual([]);
  });
});
