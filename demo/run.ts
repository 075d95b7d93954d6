// npm run demo: the whole monitoring setup on 127.0.0.1 in a minute. A real Prometheus and
// Alertmanager (Debian packages), an SMTP sink, the simulated OBS, a small restic repository
// and a headroom exporter reading a fixture worker host — Prometheus configured by the same
// `headroom generate` code an estate uses. Ctrl-C (or SIGTERM) stops every process it started.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectorModules } from '../exporters/index.js';
import { loadConfig, ConfigError } from '../src/config/load.js';
import { configSections } from '../src/config/sections.js';
import { runProgram } from '../src/exec.js';
import { generateAll } from '../src/generate.js';
import { artifactGenerators } from '../src/generators.js';
import { freePort, waitFor } from '../sim/net.js';
import { startObsSimulator } from '../sim/obs/server.js';
import { realObsUnavailable, startRealObs } from '../sim/real-obs/backend.js';
import { createStatesProject } from '../sim/real-obs/states.js';
import { generateWorkerStatus } from '../sim/obs/generator.js';
import { startLibvirtd } from '../sim/libvirtd.js';
import { startProcess, type ManagedProcess } from '../sim/processes.js';
import { startAlertmanager, startPrometheus, startSmtpSink } from '../sim/stack.js';
import { renderDemoConfig, type DemoSetup } from './demo-config.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const cliPath = path.join(repoRoot, 'dist/src/cli.js');
/** The fixture worker host the exporter reads instead of this machine's /proc, /sys and /. */
const hostTree = path.join(repoRoot, 'test/fixtures/hosts/obs-worker-64g');
const keep = process.argv.includes('--keep');

const say = (line: string) => process.stdout.write(`${line}\n`);

/** What to stop, newest first. */
const stoppers: Array<{ name: string; stop: () => Promise<void> }> = [];
let workDir: string | null = null;
let stopping = false;

async function stopAll(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const s of stoppers.reverse()) {
      try {
        await s.stop();
        say(`stopped ${s.name}`);
      } catch (err) {
        process.stderr.write(`error stopping ${s.name}: ${(err as Error).message}\n`);
      }
    }
    if (workDir && !keep) rmSync(workDir, { recursive: true, force: true });
    else if (workDir) say(`kept ${workDir}`);
    say('demo stopped');
  }
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopAll(0));

function track(name: string, proc: ManagedProcess): ManagedProcess {
  stoppers.push({ name, stop: () => proc.stop() });
  return proc;
}

function requireProgram(program: string, pkg: string): void {
  const found = (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, program)));
  if (!found) throw new Error(`${program} is not installed: apt-get install ${pkg} (or run scripts/install-test-deps.sh)`);
}

function hasProgram(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, program)));
}

/** restic init + one backup: a few seconds, most of it key derivation. */
async function makeResticRepository(dir: string, passwordFile: string): Promise<{ repository: string; cacheDir: string }> {
  const repository = path.join(dir, 'repo');
  const cacheDir = path.join(dir, 'cache');
  const data = path.join(dir, 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(path.join(data, 'wiki-dump.sql'), '-- a tiny stand-in for a nightly database dump\n');
  const env = { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD_FILE: passwordFile, RESTIC_CACHE_DIR: cacheDir };
  await runProgram('restic', ['init'], { timeoutMs: 60_000, env });
  await runProgram('restic', ['backup', '--host', 'demo-host', '--tag', 'nightly', data], { timeoutMs: 60_000, env, cwd: dir });
  return { repository, cacheDir };
}

/** Validates the demo config through the real loader and runs every generator on it. */
async function generate(configFile: string, setup: DemoSetup, outDir: string) {
  writeFileSync(configFile, renderDemoConfig(setup));
  const config = await loadConfig(configFile, collectorModules, configSections);
  rmSync(outDir, { recursive: true, force: true });
  return generateAll(artifactGenerators, config, outDir);
}

/** Used only when this build has no Alertmanager generator yet. */
function fallbackAlertmanagerConfig(smtp: string): string {
  return [
    'global:',
    `  smtp_smarthost: '${smtp}'`,
    "  smtp_from: 'alertmanager@demo.example.org'",
    '  smtp_require_tls: false',
    'route:',
    '  receiver: email',
    "  group_by: ['alertname']",
    '  group_wait: 10s',
    'receivers:',
    '  - name: email',
    '    email_configs:',
    "      - to: 'oncall@demo.example.org'",
    '        send_resolved: true',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  requireProgram('prometheus', 'prometheus');
  requireProgram('prometheus-alertmanager', 'prometheus-alertmanager');
  requireProgram('restic', 'restic');
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build first`);

  workDir = mkdtempSync(path.join(os.tmpdir(), 'headroom-demo-'));
  const secrets = path.join(workDir, 'secrets');
  mkdirSync(secrets, { mode: 0o700 });
  const secret = (name: string, value: string) => {
    const file = path.join(secrets, name);
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    return file;
  };
  const obsPasswordFile = secret('obs.pass', 'demo-obs-password');
  const resticPasswordFile = secret('restic.pass', 'demo-restic-password');

  const obs = await startDemoObs(obsPasswordFile);

  say('creating a small restic repository...');
  const restic = await makeResticRepository(path.join(workDir, 'restic'), resticPasswordFile);

  const mailDir = path.join(workDir, 'mail');
  const smtp = await startSmtpSink(mailDir);
  stoppers.push({ name: 'SMTP sink', stop: () => smtp.stop() });

  say('starting libvirtd with its test driver...');
  const libvirtd = await startLibvirtd(path.join(workDir, 'libvirtd'));
  track('libvirtd', libvirtd.process);

  const withBlackbox = hasProgram('prometheus-blackbox-exporter');
  const setup: DemoSetup = {
    obsUrl: obs.url,
    ...(obs.passwordFile ? { obsPasswordFile: obs.passwordFile } : {}),
    ...(obs.projects.length ? { obsProjects: obs.projects } : {}),
    ...obs.poll,
    libvirtUri: `test+unix:///default?socket=${libvirtd.socketPath}`,
    resticRepository: restic.repository,
    resticPasswordFile,
    resticCacheDir: restic.cacheDir,
    exporterPort: await freePort(),
    smtpAddress: smtp.address,
    ...(withBlackbox ? { blackbox: `127.0.0.1:${await freePort()}` } : {}),
    withAlerting: configSections.some((s) => s.key === 'alerting'),
  };
  const configFile = path.join(workDir, 'headroom.yml');
  const generated = path.join(workDir, 'generated');

  // First pass: the Alertmanager's config (its address is not known until it runs).
  await generate(configFile, setup, generated);
  const amFile = path.join(generated, 'alertmanager.yml');
  const amConfig = existsSync(amFile) ? readFileSync(amFile, 'utf8') : fallbackAlertmanagerConfig(smtp.address);
  say('starting Alertmanager...');
  const am = await startAlertmanager(path.join(workDir, 'alertmanager'), amConfig);
  track('Alertmanager', am.process);

  // Second pass: the same generation with the Alertmanager in the estate.
  setup.alertmanager = new URL(am.url).host;
  const report = await generate(configFile, setup, generated);

  say('starting the headroom exporter...');
  const exporterUrl = `http://127.0.0.1:${setup.exporterPort}`;
  const exporter = track(
    'headroom exporter',
    startProcess(
      'headroom',
      process.execPath,
      [
        cliPath,
        'serve',
        `--config=${configFile}`,
        `--web.listen-address=127.0.0.1:${setup.exporterPort}`,
        `--path.procfs=${path.join(hostTree, 'proc')}`,
        `--path.sysfs=${path.join(hostTree, 'sys')}`,
        `--path.rootfs=${path.join(hostTree, 'root')}`,
      ],
      { logFile: path.join(workDir, 'headroom.log') },
    ),
  );
  await waitFor(
    async () => {
      if (exporter.child.exitCode !== null) throw new Error(`the exporter exited:\n${exporter.output()}`);
      return (await fetch(`${exporterUrl}/healthz`)).ok ? true : undefined;
    },
    'the headroom exporter',
    30_000,
  );

  let blackboxProc: ManagedProcess | null = null;
  if (setup.blackbox) {
    blackboxProc = track(
      'blackbox exporter',
      startProcess(
        'blackbox',
        'prometheus-blackbox-exporter',
        [`--config.file=${path.join(generated, 'blackbox.yml')}`, `--web.listen-address=${setup.blackbox}`],
        { logFile: path.join(workDir, 'blackbox.log') },
      ),
    );
  }

  say('starting Prometheus...');
  const prometheus = await startPrometheus(generated, readFileSync(path.join(generated, 'prometheus.yml'), 'utf8'));
  track('Prometheus', prometheus.process);

  const targetCount = 2 + (setup.blackbox ? 2 : 0); // headroom + alertmanager (+ two probes)
  say(`waiting for Prometheus to scrape all ${targetCount} targets...`);
  await prometheus.waitForTargetsUp(targetCount, 90_000);

  say('');
  say('headroom demo is running — every Prometheus target is up');
  say(`  Prometheus     ${prometheus.url}  (targets: ${prometheus.url}/targets, alerts: ${prometheus.url}/alerts)`);
  say(`  Alertmanager   ${am.url}`);
  say(`  exporter       ${exporterUrl}/metrics  (status page: ${exporterUrl}/)`);
  say(`  ${obs.label.padEnd(13)}  ${obs.url}  ${obs.note}`);
  if (setup.blackbox) say(`  blackbox       http://${setup.blackbox}`);
  say(`  SMTP sink      ${smtp.address}; alert emails land in ${mailDir}/N.eml`);
  say(`  config         ${configFile}`);
  say(`  generated      ${generated}  (${report.written.length} files${report.skipped.length ? `; skipped: ${report.skipped.map((s) => s.name).join(', ')}` : ''})`);
  say(`  logs           ${workDir}/*.log, ${generated}/prometheus.log`);
  const pids = [prometheus.process, am.process, exporter, ...(blackboxProc ? [blackboxProc] : [])].map((p) => `${p.name}=${p.child.pid}`);
  say(`  pids           ${pids.join(' ')}`);
  say(`Press Ctrl-C to stop everything${keep ? '' : ` (${workDir} is removed; --keep keeps it)`}.`);

  let seen = 0;
  setInterval(() => {
    while (seen < smtp.mails.length) {
      const mail = smtp.mails[seen++]!;
      say(`mail: "${mail.subject}" to ${mail.to.join(', ')} → ${path.join(mailDir, `${seen}.eml`)}`);
    }
  }, 1000).unref();
}

/**
 * The real OBS back end when obs-server is installed (and we are root), with a project whose
 * jobs keep flowing; otherwise the simulated API with a generated farm.
 */
async function startDemoObs(
  passwordFile: string,
): Promise<{ url: string; label: string; note: string; passwordFile?: string; projects: string[]; poll: Pick<DemoSetup, 'obsSchedule' | 'obsTimeout'> }> {
  const unavailable = realObsUnavailable();
  if (unavailable === null) {
    say('starting a real OBS back end (obs-server; schedulers x86_64, i586, aarch64; 2 x86_64 workers)...');
    const real = await startRealObs({ archs: ['x86_64', 'i586', 'aarch64'], workers: 2, workerHost: 'demo-worker' });
    stoppers.push({ name: 'real OBS back end', stop: () => real.stop() });
    await createStatesProject(real, 'demo');
    // Builds here fail within seconds: rebuild so that workers keep going from idle to building.
    const timer = setInterval(() => {
      for (const arch of ['x86_64', 'i586']) {
        for (const pkg of ['hello', 'dep']) void real.rebuildWhenFailed('demo', pkg, arch).catch(() => undefined);
      }
    }, 20_000);
    timer.unref();
    stoppers.push({ name: 'rebuild timer', stop: async () => clearInterval(timer) });
    return { url: real.url, label: 'real OBS', note: `(obs-server back end, srcserver, no auth; project demo; files in ${real.dir})`, projects: ['demo'],
      // The srcserver forks per request: on a busy machine a poll (worker status + _result) takes seconds.
      poll: { obsSchedule: '15s', obsTimeout: '14s' },
    };
  }
  say(`using the simulated OBS: no real back end here (${unavailable})`);
  say('starting the simulated OBS (8 worker hosts, 4 instances each)...');
  const status = generateWorkerStatus({ hosts: 8, instancesPerHost: 4, seed: 9, now: Math.floor(Date.now() / 1000) });
  const sim = await startObsSimulator({ credentials: { username: 'monitor', password: 'demo-obs-password' }, workerStatus: status.xml });
  stoppers.push({ name: 'simulated OBS', stop: () => sim.close() });
  return { url: sim.url, label: 'simulated OBS', note: '(user monitor)', passwordFile, projects: [], poll: {} };
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`demo failed: ${message}\n`);
  void stopAll(1);
});
