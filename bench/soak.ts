// Soak scenario (issue 11, item 5): a real `headroom serve` with every collector on, scraped
// 10 times a second for N minutes while a fault is injected every minute; reports RSS and
// latency over time, a linear fit of RSS over the last 80 % of the run, and missed scrapes.
// Run on its own: `node dist/bench/soak.js [--minutes N]` (`npm run soak` builds first).
//
// The estate it builds (buildEstate) is also what the hardening tests run the exporter on:
// a fixture host tree (/proc, /sys, /), the simulated OBS API with basic auth, libvirt's test
// driver served by a test-owned libvirtd behind a proxy that can hang or garble, real restic and
// borg repositories, a files target and a git repository, with every external program behind a
// wrapper that a test can make hang, print garbage or fail.
import { serveNodeFlags } from '../src/node-flags.js';
import { findRepoRoot, spawnHeadroom } from '../sim/headroom-process.js';
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generateWorkerStatus } from '../sim/obs/generator.js';
import { startObsSimulator, type ObsFault, type ObsSimulator } from '../sim/obs/server.js';
import { startLibvirtProxy, type ProxyMode } from '../sim/libvirt-proxy.js';
import { startLibvirtd } from '../sim/libvirtd.js';

/** The programs the collectors run, each behind a wrapper that can be told to misbehave. */
export const WRAPPED_TOOLS = ['restic', 'borg', 'git', 'smartctl'] as const;
export type WrappedTool = (typeof WRAPPED_TOOLS)[number];
/** hang: sleeps for an hour; garbage: prints junk and exits 0; fail: complains on stderr and exits 3. */
export type ToolFault = 'hang' | 'garbage' | 'fail';

export interface EstateSecrets {
  obsPassword: string;
  resticPassword: string;
  borgPassphrase: string;
}

export interface EstateOptions {
  secrets?: Partial<EstateSecrets>;
  /** Background schedule of OBS, vmhost and smartctl (backup targets use max(this, 3s)). */
  scheduleSeconds?: number;
  /** OBS worker-status size: hosts × instances. */
  obsHosts?: number;
  /** OBS max_response_size in bytes. */
  maxResponseBytes?: number;
  /** Schedule and timeout of the backup targets (default max(scheduleSeconds, 3)). */
  backupScheduleSeconds?: number;
  /** The OBS URL the config names, when a test puts a proxy of its own in front of the simulator. */
  obsUrl?: string;
}

export interface Estate {
  readonly dir: string;
  readonly configFile: string;
  /** `headroom serve` arguments after `serve`: config and the fixture host's paths. */
  readonly serveArgs: readonly string[];
  readonly host: { procfs: string; sysfs: string; rootfs: string };
  readonly obs: ObsSimulator;
  /** The worker status document the simulator serves normally. */
  readonly workerStatusXml: string;
  readonly secrets: EstateSecrets;
  /** What the proxy in front of libvirtd does: pass, hang, garbage, oversized. */
  setLibvirtFault(mode: ProxyMode): void;
  /** Where each wrapper reads its fault from; null = behave. */
  setToolFault(tool: WrappedTool, fault: ToolFault | null): void;
  /** Moves a file of the fixture host away (relative to the host dir, e.g. `proc/meminfo`); returns the undo. */
  hideHostFile(relative: string): () => void;
  close(): Promise<void>;
}

const GiB = 2 ** 30;

function lookPath(program: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  throw new Error(`${program} not found on PATH (scripts/install-test-deps.sh installs it)`);
}

function must(program: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(program, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A wrapper that consults its fault file, then runs the real program (or prints a fixture). */
function writeWrapper(binDir: string, faultDir: string, tool: WrappedTool, normal: string): string {
  const file = path.join(binDir, tool);
  writeFileSync(
    file,
    `#!/bin/sh
fault=$(cat ${shellQuote(path.join(faultDir, tool))} 2>/dev/null)
case "$fault" in
  hang) exec sleep 3600 ;;
  garbage) printf '\\001\\377{"not json" <<< %s garbage ]]\\n' ${tool}; head -c 3000 /dev/urandom; exit 0 ;;
  fail) echo "${tool}: simulated failure (fault injected by the test)" >&2; exit 3 ;;
esac
${normal}
`,
  );
  chmodSync(file, 0o755);
  return file;
}

/** A small libvirt test-driver host: 8 CPUs, 32 GiB, three domains (two running). */
function nodeXml(): string {
  const domain = (name: string, uuid: string, vcpus: number, memGiB: number, runstate: number) => `  <domain type="test" xmlns:test="http://libvirt.org/schemas/domain/test/1.0">
    <name>${name}</name>
    <uuid>${uuid}</uuid>
    <memory unit="KiB">${(memGiB * GiB) / 1024}</memory>
    <currentMemory unit="KiB">${(memGiB * GiB) / 1024}</currentMemory>
    <vcpu placement="static">${vcpus}</vcpu>
    <os><type arch="x86_64">hvm</type></os>
    <test:runstate>${runstate}</test:runstate>
  </domain>`;
  return `<node>
  <cpu><mhz>2400</mhz><model>x86_64</model><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>2</threads><active>8</active></cpu>
  <memory>${(32 * GiB) / 1024}</memory>
${domain('wiki', '11111111-1111-4111-8111-111111111111', 2, 4, 1)}
${domain('bugzilla', '22222222-2222-4222-8222-222222222222', 4, 8, 1)}
${domain('archive', '33333333-3333-4333-8333-333333333333', 2, 2, 5)}
</node>
`;
}

/** Builds the estate under `dir` (which it fills) and starts the simulated OBS. */
export async function buildEstate(dir: string, opts: EstateOptions = {}): Promise<Estate> {
  const repo = findRepoRoot();
  const secrets: EstateSecrets = {
    obsPassword: opts.secrets?.obsPassword ?? 'soak-obs-password',
    resticPassword: opts.secrets?.resticPassword ?? 'soak-restic-password',
    borgPassphrase: opts.secrets?.borgPassphrase ?? 'soak-borg-passphrase',
  };
  const every = opts.scheduleSeconds ?? 1;
  // A timeout must fit its schedule: 2s, or the schedule when that is shorter.
  const pollTimeout = Math.min(2, every);
  const backupEvery = opts.backupScheduleSeconds ?? Math.max(every, 3);

  // The fixture host: a 64 GiB OBS worker with 16 tmpfs instances, swap on NVMe; plus qemu
  // processes (one listed PID whose cmdline is gone, as when a process exits mid-scan).
  const hostDir = path.join(dir, 'host');
  cpSync(path.join(repo, 'test/fixtures/hosts/obs-worker-64g'), hostDir, { recursive: true });
  const host = { procfs: path.join(hostDir, 'proc'), sysfs: path.join(hostDir, 'sys'), rootfs: path.join(hostDir, 'root') };
  const processes: Record<string, string[]> = {
    '4101': ['/usr/bin/qemu-kvm', '-m', '8192', '-smp', '8', '-name', 'obs-w1-root_1'],
    '4102': ['/usr/bin/qemu-system-x86_64', '-m', '4G', '-smp', 'cpus=4'],
    '4103': ['/bin/sh', '-c', 'sleep 1'],
  };
  for (const [pid, argv] of Object.entries(processes)) {
    mkdirSync(path.join(host.procfs, pid), { recursive: true });
    writeFileSync(path.join(host.procfs, pid, 'cmdline'), argv.join('\0') + '\0');
  }
  mkdirSync(path.join(host.procfs, '4199'), { recursive: true }); // listed, cmdline vanished

  const faultDir = path.join(dir, 'faults');
  const binDir = path.join(dir, 'bin');
  mkdirSync(faultDir);
  mkdirSync(binDir);
  const smartJson = path.join(dir, 'smartctl-nvme0n1.json');
  cpSync(path.join(repo, 'test/fixtures/hosts/smartctl/nvme0n1.json'), smartJson);
  const wrappers: Record<WrappedTool, string> = {
    restic: writeWrapper(binDir, faultDir, 'restic', `exec ${shellQuote(lookPath('restic'))} "$@"`),
    borg: writeWrapper(binDir, faultDir, 'borg', `exec ${shellQuote(lookPath('borg'))} "$@"`),
    git: writeWrapper(binDir, faultDir, 'git', `exec ${shellQuote(lookPath('git'))} "$@"`),
    smartctl: writeWrapper(binDir, faultDir, 'smartctl', `exec cat ${shellQuote(smartJson)}`),
  };

  const nodeFile = path.join(dir, 'node.xml');
  writeFileSync(nodeFile, nodeXml());
  const libvirtd = await startLibvirtd(path.join(dir, 'libvirtd'));
  const libvirtProxy = await startLibvirtProxy(path.join(dir, 'libvirt-proxy-sock'), libvirtd.socketPath);

  // Secrets, each in its own file.
  const obsPass = path.join(dir, 'obs.pass');
  const resticPass = path.join(dir, 'restic.pass');
  const borgPass = path.join(dir, 'borg.pass');
  writeFileSync(obsPass, `${secrets.obsPassword}\n`, { mode: 0o600 });
  writeFileSync(resticPass, `${secrets.resticPassword}\n`, { mode: 0o600 });
  writeFileSync(borgPass, `${secrets.borgPassphrase}\n`, { mode: 0o600 });

  // Small real backup targets, on the fixture host (the backup collector reads under --path.rootfs).
  const onHost = (hostPath: string) => path.join(host.rootfs, hostPath);
  const data = path.join(dir, 'data');
  mkdirSync(data);
  writeFileSync(path.join(data, 'payload'), 'payload\n');
  const resticRepo = onHost('/srv/backup/bugzilla');
  mkdirSync(path.dirname(resticRepo), { recursive: true });
  const resticEnv = { RESTIC_REPOSITORY: resticRepo, RESTIC_PASSWORD_FILE: resticPass, RESTIC_CACHE_DIR: path.join(dir, 'restic-cache') };
  must('restic', ['init'], resticEnv);
  must('restic', ['backup', '--time', '2024-03-02 02:00:00', data], { ...resticEnv, TZ: 'UTC' });
  const borgRepo = onHost('/srv/backup/wiki');
  const borgEnv = { BORG_BASE_DIR: path.join(dir, 'borg-home'), BORG_PASSPHRASE: secrets.borgPassphrase, TZ: 'UTC' };
  must('borg', ['init', '--encryption=repokey', borgRepo], borgEnv);
  must('borg', ['create', '--timestamp', '2024-03-01T09:00:00', `${borgRepo}::wiki-1`, data], borgEnv);
  const dumps = onHost('/srv/dumps');
  mkdirSync(dumps, { recursive: true });
  writeFileSync(path.join(dumps, 'gerrit-1.sql.gz'), 'z'.repeat(100));
  utimesSync(path.join(dumps, 'gerrit-1.sql.gz'), 1_709_434_000, 1_709_434_000);
  const etc = onHost('/srv/etc-git');
  mkdirSync(etc, { recursive: true });
  const gitEnv = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_COMMITTER_DATE: '2024-03-01T00:00:00+00:00' };
  must('git', ['-C', etc, 'init', '-q'], gitEnv);
  must('git', ['-C', etc, 'commit', '-q', '--allow-empty', '-m', 'etckeeper'], gitEnv);

  const generated = generateWorkerStatus({ hosts: opts.obsHosts ?? 50, instancesPerHost: 20, seed: 11 });
  const resultlist = `<resultlist state="c0ffee">
  <result project="Mer:Core" repository="standard" arch="x86_64" code="published" state="published">
    <summary><statuscount code="succeeded" count="40"/><statuscount code="failed" count="2"/></summary>
  </result>
</resultlist>
`;
  const obs = await startObsSimulator({
    credentials: { username: 'monitor', password: secrets.obsPassword },
    workerStatus: generated.xml,
    results: { 'Mer:Core': resultlist },
  });

  const configFile = path.join(dir, 'headroom.yml');
  writeFileSync(
    configFile,
    `collectors:
  obs:
    instances:
      - name: sim
        url: ${opts.obsUrl ?? obs.url}
        username: monitor
        password_file: ${obsPass}
        schedule: ${every}s
        timeout: ${pollTimeout}s
        max_response_size: ${opts.maxResponseBytes ?? 4 * 1024 * 1024}
        projects: [ "Mer:Core" ]
  worker: {}
  swap:
    smartctl: true
    smartctl_command: ${wrappers.smartctl}
    smartctl_schedule: ${every}s
    smartctl_timeout: ${pollTimeout}s
  vmhost:
    libvirt_uri: "test+unix://${nodeFile}?socket=${libvirtProxy.socketPath}"
    schedule: ${every}s
    timeout: ${pollTimeout}s
  backup:
    targets:
      - { name: bugzilla, kind: restic, repository: /srv/backup/bugzilla, password_file: ${resticPass}, cache_dir: ${path.join(dir, 'restic-exporter-cache')}, program: ${wrappers.restic}, max_age: 26h, schedule: ${backupEvery}s, timeout: ${backupEvery}s }
      - { name: wiki, kind: borg, repository: /srv/backup/wiki, passphrase_file: ${borgPass}, base_dir: ${path.join(dir, 'borg-exporter-home')}, program: ${wrappers.borg}, max_age: 26h, schedule: ${backupEvery}s, timeout: ${backupEvery}s }
      - { name: gerrit-dumps, kind: files, path: "/srv/dumps/gerrit-*.sql.gz", max_age: 26h, schedule: ${backupEvery}s, timeout: ${backupEvery}s }
      - { name: etc, kind: git, path: /srv/etc-git, program: ${wrappers.git}, max_age: 26h, schedule: ${backupEvery}s, timeout: ${backupEvery}s }
`,
  );

  return {
    dir,
    configFile,
    serveArgs: ['--config', configFile, '--path.procfs', host.procfs, '--path.sysfs', host.sysfs, '--path.rootfs', host.rootfs],
    host,
    obs,
    workerStatusXml: generated.xml,
    secrets,
    setLibvirtFault: (mode) => libvirtProxy.setMode(mode),
    setToolFault(tool, fault) {
      const file = path.join(faultDir, tool);
      if (fault === null) rmSync(file, { force: true });
      else writeFileSync(file, fault);
    },
    hideHostFile(relative) {
      const file = path.join(hostDir, relative);
      const hidden = `${file}.hidden`;
      renameSync(file, hidden);
      return () => renameSync(hidden, file);
    },
    async close() {
      await libvirtProxy.stop();
      await libvirtd.stop();
      await obs.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The soak run itself.

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Least-squares slope and intercept of y over x. */
export function linearFit(points: ReadonlyArray<readonly [number, number]>): { slope: number; intercept: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  const slope = den === 0 ? 0 : num / den;
  return { slope, intercept: my - slope * mx };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Fault {
  name: string;
  start(estate: Estate): () => void;
}

/** One fault per minute, each lasting 20 s, cycling through OBS, tool and file failures. */
const FAULTS: readonly Fault[] = [
  { name: 'OBS answers 503 with an HTML page', start: (e) => obsFault(e, 'server-error') },
  {
    name: 'libvirt hangs',
    start: (e) => {
      e.setLibvirtFault('hang');
      return () => e.setLibvirtFault('pass');
    },
  },
  { name: '/proc/meminfo vanishes', start: (e) => e.hideHostFile('proc/meminfo') },
  { name: 'OBS resets the connection mid-body', start: (e) => obsFault(e, 'reset') },
  { name: 'restic prints garbage', start: (e) => toolFault(e, 'restic', 'garbage') },
  { name: 'borg exits non-zero', start: (e) => toolFault(e, 'borg', 'fail') },
  { name: 'OBS stalls mid-body', start: (e) => obsFault(e, 'stall') },
  { name: 'git hangs', start: (e) => toolFault(e, 'git', 'hang') },
  { name: 'smartctl prints garbage', start: (e) => toolFault(e, 'smartctl', 'garbage') },
  { name: 'OBS sends a document over max_response_size', start: (e) => obsFault(e, 'huge') },
];

function obsFault(e: Estate, fault: ObsFault): () => void {
  e.obs.setFault(fault, { hugeBytes: 8 * 1024 * 1024 });
  return () => e.obs.setFault(null);
}

function toolFault(e: Estate, tool: WrappedTool, fault: ToolFault): () => void {
  e.setToolFault(tool, fault);
  return () => e.setToolFault(tool, null);
}

interface Window {
  minute: number;
  fault: string;
  scrapes: number;
  missed: number;
  p50: number;
  p99: number;
  max: number;
  healthP99: number;
  healthMax: number;
  rssMiB: number;
  collectorsFailing: string;
}

export async function soak(opts: { minutes: number }): Promise<void> {
  const minutes = opts.minutes;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-soak-'));
  const estate = await buildEstate(dir);
  const exporter = await spawnHeadroom(estate.serveArgs, { nodeFlags: serveNodeFlags });
  const pid = exporter.child.pid!;
  const metricsUrl = `${exporter.url}/metrics`;
  const healthUrl = `${exporter.url}/healthz`;
  console.log(`soak: ${minutes} min, 10 scrapes/s of ${metricsUrl}, all collectors on, a 20 s fault every minute (exporter pid ${pid})`);

  const rss: Array<[number, number]> = [];
  const windows: Window[] = [];
  let latencies: number[] = [];
  let healthLatencies: number[] = [];
  let missed = 0;
  let scrapes = 0;
  let totalMissed = 0;
  let totalScrapes = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const failingSeen = new Set<string>();
  const started = performance.now();
  const elapsedMin = () => (performance.now() - started) / 60_000;

  const scrapeOnce = async () => {
    const t0 = performance.now();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (res.status !== 200 || !text.includes('headroom_build_info')) throw new Error(`HTTP ${res.status}`);
      for (const m of text.matchAll(/^headroom_collector_success\{collector="([^"]+)"\} 0$/gm)) failingSeen.add(m[1]!);
      latencies.push(performance.now() - t0);
    } catch {
      missed++;
    } finally {
      scrapes++;
      inFlight--;
    }
  };
  const probeHealth = async () => {
    const t0 = performance.now();
    try {
      await (await fetch(healthUrl, { signal: AbortSignal.timeout(10_000) })).text();
      healthLatencies.push(performance.now() - t0);
    } catch {
      /* counted through /metrics */
    }
  };

  const scrapeTimer = setInterval(() => void scrapeOnce(), 100);
  const healthTimer = setInterval(() => void probeHealth(), 250);
  const rssTimer = setInterval(() => rss.push([elapsedMin(), rssBytes(pid)]), 5000);
  rss.push([0, rssBytes(pid)]);

  let undo: (() => void) | null = null;
  for (let minute = 0; minute < minutes; minute++) {
    const fault = FAULTS[minute % FAULTS.length]!;
    // The first 20 s of each minute run clean, then 20 s of fault, then 20 s of recovery.
    await sleep(20_000);
    undo = fault.start(estate);
    await sleep(20_000);
    undo();
    undo = null;
    await sleep(20_000);
    const sorted = [...latencies].sort((a, b) => a - b);
    const health = [...healthLatencies].sort((a, b) => a - b);
    const w: Window = {
      minute: minute + 1,
      fault: fault.name,
      scrapes,
      missed,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? NaN,
      healthP99: quantile(health, 0.99),
      healthMax: health[health.length - 1] ?? NaN,
      rssMiB: rssBytes(pid) / 2 ** 20,
      collectorsFailing: [...failingSeen].sort().join(',') || '-',
    };
    windows.push(w);
    console.log(
      `min ${String(w.minute).padStart(2)}  scrapes ${w.scrapes}  missed ${w.missed}  /metrics p50 ${w.p50.toFixed(1)} ms p99 ${w.p99.toFixed(1)} ms max ${w.max.toFixed(1)} ms  ` +
        `/healthz p99 ${w.healthP99.toFixed(1)} ms max ${w.healthMax.toFixed(1)} ms  RSS ${w.rssMiB.toFixed(1)} MiB  failing: ${w.collectorsFailing}  (fault: ${w.fault})`,
    );
    totalMissed += missed;
    totalScrapes += scrapes;
    latencies = [];
    healthLatencies = [];
    missed = 0;
    scrapes = 0;
    failingSeen.clear();
  }
  clearInterval(scrapeTimer);
  clearInterval(healthTimer);
  clearInterval(rssTimer);
  rss.push([elapsedMin(), rssBytes(pid)]);
  const alive = exporter.child.exitCode === null;
  await exporter.stop();
  await estate.close();
  rmSync(dir, { recursive: true, force: true });

  // Growth trend: fit RSS over the last 80 % of the run (the first minutes include warm-up:
  // JIT, caches, the first refreshes), in MiB per minute.
  const cutoff = minutes * 0.2;
  const tail = rss.filter(([t]) => t >= cutoff).map(([t, b]) => [t, b / 2 ** 20] as [number, number]);
  const fit = linearFit(tail);
  const meanMiB = tail.reduce((s, [, y]) => s + y, 0) / tail.length;
  const spanMin = minutes - cutoff;
  const growthOverSpan = fit.slope * spanMin;
  console.log('');
  console.log(`RSS samples (every 5 s): first ${(rss[0]![1] / 2 ** 20).toFixed(1)} MiB, min ${(Math.min(...rss.map(([, b]) => b)) / 2 ** 20).toFixed(1)} MiB, max ${(Math.max(...rss.map(([, b]) => b)) / 2 ** 20).toFixed(1)} MiB, last ${(rss[rss.length - 1]![1] / 2 ** 20).toFixed(1)} MiB`);
  console.log(`RSS linear fit over the last ${spanMin.toFixed(1)} min: ${fit.slope >= 0 ? '+' : ''}${(fit.slope * 1024).toFixed(1)} KiB/min (${growthOverSpan >= 0 ? '+' : ''}${growthOverSpan.toFixed(2)} MiB over the span, mean ${meanMiB.toFixed(1)} MiB)`);
  // No growth trend: the fitted growth over the span stays within 5 % of the mean RSS.
  const growthOk = growthOverSpan < meanMiB * 0.05;
  console.log(`scrapes: ${totalScrapes}, missed: ${totalMissed}; exporter alive at the end: ${alive}`);
  console.log(`verdict: ${growthOk ? 'no RSS growth trend' : 'RSS GROWS'}; ${totalMissed === 0 ? 'no missed scrape' : `${totalMissed} MISSED SCRAPES`}`);
  if (!growthOk || totalMissed > 0 || !alive) process.exitCode = 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const i = process.argv.indexOf('--minutes');
  const minutes = i >= 0 ? Number(process.argv[i + 1]) : 10;
  if (!Number.isFinite(minutes) || minutes <= 0) {
    console.error('usage: node dist/bench/soak.js [--minutes N]');
    process.exit(2);
  }
  soak({ minutes }).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
