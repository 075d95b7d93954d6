// A real Open Build Service back end (Debian's obs-server/obs-worker 2.9.4) started into a
// temporary directory, for the tests, the demo and the benchmark.
//
//   const obs = await startRealObs({ archs: ['x86_64', 'i586', 'aarch64'], workers: 2 });
//   obs.url                          srcserver base URL (what headroom polls: /build/_workerstatus)
//   await obs.createProject('test', { archs: ['x86_64', 'aarch64'] });
//   await obs.addPackage('test', 'hello');                         // a spec package, no BuildRequires
//   await obs.addPackage('test', 'unres', { buildRequires: ['nothing-provides-this'] });
//   await obs.putBinary('test', 'standard', 'x86_64', debPath);    // a .deb into the repository
//   await obs.waitFor('test', 'hello', 'x86_64', 'failed');        // a _result code, polled
//   await obs.killScheduler('aarch64'); await obs.restartScheduler('aarch64');
//   await obs.stopWorker(2);          // graceful bs_worker --exit: the repserver lists it <down>
//   obs.jobFiles('x86_64')            // the dispatcher's job files: the back end's own state
//   await obs.stop();                 // every process group gone, directory removed
//
// Why it is built this way (OBS has no switches for any of it):
// - The daemons bind INADDR_ANY with no option to change it, so they run from a private code tree:
//   symlinks to /usr/lib/obs/server except a BSServer.pm patched to INADDR_LOOPBACK and a
//   generated BSConfig.pm (bsdir, ports, $ipaccess). The packaged config is never touched.
// - Each daemon chdirs to its own directory and loads the bundled XML::Structured from there:
//   they are started by absolute path.
// - The packaged worker/ directory holds ../ links that would hand workers /etc/obs/BSConfig.pm
//   and the unpatched BSServer.pm through /getworkercode: the tree gets its own worker/ dir.
// - Every daemon and worker is spawned detached (its own session, so PID = process group)
//   and stopped by group: the daemons fork helpers and builds that must go with them.
// Needs root (the daemons drop to the obsrun user, workers build in a chroot).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor as poll } from '../net.js';

export const OBS_SERVER_CODE = '/usr/lib/obs/server';
const BS_USER = 'obsrun';

/** Why a real back end cannot start here, or null when it can. */
export function realObsUnavailable(code = OBS_SERVER_CODE): string | null {
  if (!existsSync(path.join(code, 'bs_srcserver'))) return `${code}/bs_srcserver missing (apt-get install obs-server obs-worker)`;
  if (process.getuid?.() !== 0) return 'the OBS back end needs root (daemons drop to obsrun, workers chroot)';
  if (spawnSync('getent', ['passwd', BS_USER]).status !== 0) return `user ${BS_USER} missing (the obs-server package creates it)`;
  return null;
}

export interface RealObsOptions {
  /** Scheduler architectures (one bs_sched each). Default x86_64, i586, aarch64. */
  archs?: readonly string[];
  /** bs_worker instances, all of host arch `workerArch`. Default 2. */
  workers?: number;
  workerArch?: string;
  /** Worker ids are `<workerHost>:<n>` (n from 1). Default "realobs". */
  workerHost?: string;
  /** Ready timeout in ms (all schedulers running, all workers idle). Default 60 s. */
  readyTimeoutMs?: number;
}

export interface PackageOptions {
  /** Spec BuildRequires (ignored when `files` is given). */
  buildRequires?: readonly string[];
  /** Source files to upload instead of the generated spec, name -> content. */
  files?: Readonly<Record<string, string | Buffer>>;
}

export interface ProjectOptions {
  archs?: readonly string[];
  repository?: string;
  /** Project config (prjconf). Default: `Type: spec`. */
  config?: string;
  /** Extra <path project= repository=/> entries of the repository. */
  paths?: ReadonlyArray<{ project: string; repository: string }>;
}

export interface RealObsJob {
  job: string;
  project: string;
  repository: string;
  package: string;
  /** Absent while the job waits for a worker. */
  status?: { code: string; workerid: string | undefined; starttime: number | undefined };
}

interface Daemon {
  name: string;
  child: ChildProcess;
  pgid: number;
  exited: Promise<void>;
}

const live = new Set<number>();
// Whatever happens to the parent, no OBS process group is left behind.
process.once('exit', () => {
  for (const pgid of live) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pgid: number): boolean {
  return killGroup(pgid, 0 as unknown as NodeJS.Signals);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export class RealObs {
  private readonly daemons = new Map<string, Daemon>();
  private readonly server: string;
  private readonly srv: string;
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly archs: readonly string[],
    readonly srcPort: number,
    readonly repPort: number,
    private readonly workerPorts: number[],
    readonly workerArch: string,
    readonly workerHost: string,
  ) {
    this.server = path.join(dir, 'server');
    this.srv = path.join(dir, 'srv');
  }

  /** The srcserver: what headroom polls (`/build/_workerstatus`) and where sources go. */
  get url(): string {
    return `http://127.0.0.1:${this.srcPort}`;
  }
  get repserverUrl(): string {
    return `http://127.0.0.1:${this.repPort}`;
  }
  get workerCount(): number {
    return this.workerPorts.length;
  }
  workerId(n: number): string {
    return `${this.workerHost}:${n}`;
  }
  /** PIDs (= process groups) of everything running now, by name. */
  pids(): Record<string, number> {
    return Object.fromEntries([...this.daemons].map(([name, d]) => [name, d.pgid]));
  }
  /** Where a daemon's stdout/stderr and the back end's own logs are. */
  logFile(name: string): string {
    return path.join(this.dir, 'logs', `${name}.log`);
  }

  static async start(options: RealObsOptions = {}): Promise<RealObs> {
    const why = realObsUnavailable();
    if (why) throw new Error(`real OBS: ${why}`);
    const archs = options.archs ?? ['x86_64', 'i586', 'aarch64'];
    const workers = options.workers ?? 2;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-real-obs-'));
    chmodSync(dir, 0o755); // the daemons run as obsrun
    const ports: number[] = [];
    // Distinct free ports (freePort may hand the same one twice if nothing binds in between).
    while (ports.length < 2 + workers) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    const obs = new RealObs(dir, archs, ports[0]!, ports[1]!, ports.slice(2), options.workerArch ?? 'x86_64', options.workerHost ?? 'realobs');
    try {
      obs.writeCodeTree();
      obs.spawnDaemon('repserver', 'bs_repserver');
      obs.spawnDaemon('srcserver', 'bs_srcserver');
      await obs.waitListening(obs.repPort);
      await obs.waitListening(obs.srcPort);
      for (const arch of archs) obs.spawnDaemon(`sched.${arch}`, 'bs_sched', [arch]);
      obs.spawnDaemon('dispatcher', 'bs_dispatch');
      obs.spawnDaemon('publisher', 'bs_publish');
      obs.spawnDaemon('warden', 'bs_warden');
      for (let n = 1; n <= workers; n++) obs.spawnWorker(n);
      await obs.waitReady(options.readyTimeoutMs ?? 60_000);
    } catch (err) {
      await obs.stop();
      throw err;
    }
    return obs;
  }

  private writeCodeTree(): void {
    const s = this.server;
    for (const d of [s, path.join(this.dir, 'logs'), this.srv, path.join(this.dir, 'workers')]) mkdirSync(d, { recursive: true });
    for (const name of readdirSync(OBS_SERVER_CODE)) {
      if (name === 'BSConfig.pm' || name === 'BSServer.pm' || name === 'worker') continue;
      symlinkSync(path.join(OBS_SERVER_CODE, name), path.join(s, name));
    }
    const bsServer = readFileSync(path.join(OBS_SERVER_CODE, 'BSServer.pm'), 'utf8');
    if (!bsServer.includes('INADDR_ANY')) throw new Error(`real OBS: ${OBS_SERVER_CODE}/BSServer.pm has no INADDR_ANY to patch (unknown OBS version)`);
    writeFileSync(path.join(s, 'BSServer.pm'), bsServer.replaceAll('INADDR_ANY', 'INADDR_LOOPBACK'));
    const worker = path.join(s, 'worker');
    mkdirSync(worker);
    for (const name of readdirSync(path.join(OBS_SERVER_CODE, 'worker'))) {
      const packaged = path.join(OBS_SERVER_CODE, 'worker', name);
      let target = name;
      try {
        target = readlinkSync(packaged).replace(/^\.\.\//, '');
      } catch {
        // a plain file: link the tree's copy of the same name
      }
      symlinkSync(path.join(s, target), path.join(worker, name));
    }
    symlinkSync('.', path.join(worker, 'XML'));
    // $ipaccess keys are matched as ^KEY$; the worker routes need the "worker" right.
    writeFileSync(
      path.join(s, 'BSConfig.pm'),
      `# generated by headroom's sim/real-obs: a private single-host OBS back end, loopback only
package BSConfig;
our $bsdir = '${this.srv}';
our $bsuser = '${BS_USER}';
our $bsgroup = '${BS_USER}';
our $bsserviceuser = 'obsservicerun';
our $bsservicegroup = $bsgroup;
our $ipaccess = { '127\\..*' => 'rw,worker' };
our $srcserver = 'http://127.0.0.1:${this.srcPort}';
our $reposerver = 'http://127.0.0.1:${this.repPort}';
our $servicedispatch = 0;
our $rundir = "$bsdir/run";
our $logdir = "$bsdir/log";
our $nosharedtrees = 2;
our $packtrack = [];
our $sign_project = 0;
our $disable_data_sync = 1;
our $obsname = 'headroom-real-obs';
1;
`,
    );
  }

  private spawnDaemon(name: string, program: string, args: string[] = [], cwd = this.server): void {
    const out = openSync(this.logFile(name), 'a');
    const child = spawn(path.join(cwd, program), args, { cwd, detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    const pgid = child.pid;
    if (pgid === undefined) throw new Error(`real OBS: cannot start ${program}`);
    live.add(pgid);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('error', () => undefined);
    this.daemons.set(name, { name, child, pgid, exited });
  }

  private workerDir(n: number): string {
    return path.join(this.dir, 'workers', `w${n}`);
  }

  private spawnWorker(n: number): void {
    const w = this.workerDir(n);
    mkdirSync(path.join(w, 'root'), { recursive: true });
    mkdirSync(path.join(w, 'state'), { recursive: true });
    // As the init script: root, chroot builds, one job at a time.
    this.spawnDaemon(
      `worker${n}`,
      'bs_worker',
      ['--root', path.join(w, 'root'), '--statedir', path.join(w, 'state'), '--id', this.workerId(n),
        '--reposerver', this.repserverUrl, '--srcserver', this.url, '--arch', this.workerArch,
        '--port', String(this.workerPorts[n - 1]), '--jobs', '1'],
      path.join(this.server, 'worker'),
    );
  }

  private async waitListening(port: number): Promise<void> {
    await poll(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return true;
    }, `port ${port} (see ${path.join(this.dir, 'logs')})`, 30_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    await poll(async () => {
      const ws = await this.get('/build/_workerstatus');
      const running = [...ws.matchAll(/<daemon type="scheduler" arch="([^"]+)" state="running"/g)].map((m) => m[1]);
      const idle = [...ws.matchAll(/<idle [^>]*workerid="([^"]+)"/g)].length;
      return this.archs.every((a) => running.includes(a)) && idle >= this.workerCount ? true : undefined;
    }, `${this.archs.length} schedulers running and ${this.workerCount} idle workers`, timeoutMs);
  }

  // ---- HTTP to the srcserver ----

  async get(pathAndQuery: string, base = this.url): Promise<string> {
    const res = await fetch(base + pathAndQuery, { signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`real OBS: GET ${pathAndQuery}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return text;
  }

  async put(pathAndQuery: string, body: string | Buffer): Promise<void> {
    const res = await fetch(this.url + pathAndQuery, { method: 'PUT', body, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`real OBS: PUT ${pathAndQuery}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }

  async post(pathAndQuery: string): Promise<void> {
    const res = await fetch(this.url + pathAndQuery, { method: 'POST', signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`real OBS: POST ${pathAndQuery}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }

  /** The srcserver's worker status, as headroom polls it. */
  workerStatus(query = ''): Promise<string> {
    return this.get(`/build/_workerstatus${query}`);
  }

  // ---- projects, packages, binaries ----

  /** A project with one repository ("standard" unless told) building for `archs`. */
  async createProject(name: string, options: ProjectOptions = {}): Promise<void> {
    const repo = options.repository ?? 'standard';
    const archs = options.archs ?? this.archs;
    const paths = (options.paths ?? []).map((p) => `    <path project="${xmlEscape(p.project)}" repository="${xmlEscape(p.repository)}"/>\n`).join('');
    const meta = `<project name="${xmlEscape(name)}">
  <title>${xmlEscape(name)}</title>
  <description>created by headroom's real OBS harness</description>
  <repository name="${xmlEscape(repo)}">
${paths}${archs.map((a) => `    <arch>${xmlEscape(a)}</arch>\n`).join('')}  </repository>
</project>
`;
    await this.put(`/source/${encodeURIComponent(name)}/_meta?user=headroom`, meta);
    await this.put(`/source/${encodeURIComponent(name)}/_config?user=headroom`, options.config ?? 'Type: spec\nRepotype: rpm-md\n');
  }

  /**
   * A package; without `files`, a minimal spec (with `buildRequires`). The scheduler sees it at
   * once: it becomes scheduled, or unresolvable/blocked by what it requires.
   */
  async addPackage(project: string, name: string, options: PackageOptions = {}): Promise<void> {
    const prj = encodeURIComponent(project);
    const pkg = encodeURIComponent(name);
    await this.put(`/source/${prj}/${pkg}/_meta?user=headroom`, `<package name="${xmlEscape(name)}" project="${xmlEscape(project)}"><title>${xmlEscape(name)}</title><description/></package>\n`);
    const files = options.files ?? { [`${name}.spec`]: minimalSpec(name, options.buildRequires ?? []) };
    for (const [file, content] of Object.entries(files)) {
      await this.put(`/source/${prj}/${pkg}/${encodeURIComponent(file)}?user=headroom`, content);
    }
  }

  /** A binary (.deb, .rpm) straight into a repository, as if built there (no ?user= on this route). */
  async putBinary(project: string, repository: string, arch: string, file: string, content: Buffer): Promise<void> {
    await this.put(`/build/${encodeURIComponent(project)}/${encodeURIComponent(repository)}/${encodeURIComponent(arch)}/_repository/${encodeURIComponent(file)}`, content);
  }

  /** Asks the scheduler to build a package again (all its repositories and archs unless told). */
  rebuild(project: string, pkg: string, arch?: string): Promise<void> {
    return this.post(`/build/${encodeURIComponent(project)}?cmd=rebuild&package=${encodeURIComponent(pkg)}${arch ? `&arch=${encodeURIComponent(arch)}` : ''}`);
  }

  /** `/build/<project>/_result` (add `?view=summary` etc. through `query`). */
  result(project: string, query = ''): Promise<string> {
    return this.get(`/build/${encodeURIComponent(project)}/_result${query}`);
  }

  /** A package's code in `_result` for one arch (first repository), or undefined. */
  async packageCode(project: string, pkg: string, arch: string): Promise<string | undefined> {
    return packageCodeIn(await this.result(project), pkg, arch);
  }

  /** Waits until the package's `_result` code for `arch` is one of `codes`; returns it. */
  waitFor(project: string, pkg: string, arch: string, codes: string | readonly string[], timeoutMs = 60_000): Promise<string> {
    const wanted = typeof codes === 'string' ? [codes] : codes;
    let last: string | undefined;
    return poll(async () => {
      last = await this.packageCode(project, pkg, arch);
      return last !== undefined && wanted.includes(last) ? last : undefined;
    }, `${project}/${pkg}/${arch} to be ${wanted.join(' or ')} (last: ${last ?? 'absent'})`, timeoutMs);
  }

  /**
   * Polls the job files (every 100 ms) until `pick` returns a non-empty list; `meanwhile` runs on
   * each empty round (e.g. rebuildWhenFailed, to try again when a short build was missed).
   */
  waitForJobs(pick: () => RealObsJob[], what: string, timeoutMs = 60_000, meanwhile?: () => Promise<unknown>): Promise<RealObsJob[]> {
    return poll(async () => {
      const jobs = pick();
      if (jobs.length > 0) return jobs;
      await meanwhile?.();
      return undefined;
    }, what, timeoutMs);
  }

  /**
   * Catches a build of `pkg` on `arch` in flight and freezes its worker (SIGSTOP), then returns
   * the job and a release function. A build here fails within a second or two, and the job file
   * says building a moment before the srcserver's _workerstatus does (and a moment after the
   * build may already have ended): the catch only counts once, with the worker frozen, the job
   * file still says building and _workerstatus lists that worker building that package. Otherwise
   * the worker is thawed and the next build is caught (the package is rebuilt when it failed).
   */
  async freezeBuild(project: string, pkg: string, arch: string, attempts = 10): Promise<{ job: RealObsJob; release: () => void }> {
    const building = () => this.jobs(arch).filter((j) => j.project === project && j.package === pkg && j.status?.code === 'building');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const [job] = await this.waitForJobs(building, `${project}/${pkg}/${arch} building`, 120_000, () => this.rebuildWhenFailed(project, pkg, arch));
      const workerid = job!.status!.workerid!;
      const worker = Number(workerid.split(':')[1]);
      this.pauseWorker(worker);
      const stillBuilding = building().some((j) => j.job === job!.job && j.status?.workerid === workerid);
      const tags = stillBuilding ? (await this.workerStatus()).match(/<building [^>]*>/g) ?? [] : [];
      const listed = tags.some((t) => t.includes(` workerid="${workerid}"`) && t.includes(` package="${pkg}"`) && t.includes(` arch="${arch}"`));
      if (listed) return { job: job!, release: () => this.resumeWorker(worker) };
      this.resumeWorker(worker);
      // Let that build end before looking for the next one.
      await poll(async () => (building().some((j) => j.job === job!.job) ? undefined : true), `${workerid} to finish`, 60_000);
    }
    throw new Error(`real OBS: no build of ${project}/${pkg}/${arch} stayed listed as building while frozen, in ${attempts} builds`);
  }

  /** Rebuilds the package on `arch` if its last build there failed. */
  async rebuildWhenFailed(project: string, pkg: string, arch: string): Promise<void> {
    if ((await this.packageCode(project, pkg, arch)) === 'failed') await this.rebuild(project, pkg, arch);
  }

  /** Waits for a worker status document that satisfies `check` and returns it. */
  waitForWorkerStatus(check: (xml: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    return poll(async () => {
      const ws = await this.workerStatus();
      return check(ws) ? ws : undefined;
    }, what, timeoutMs);
  }

  /**
   * The dispatcher's job files of an arch (srv/jobs/<arch>/<project>::<repository>::<package>-<srcmd5>),
   * with the `:status` file a job gets once dispatched (code dispatching/building, worker, start).
   */
  jobs(arch: string): RealObsJob[] {
    const dir = path.join(this.srv, 'jobs', arch);
    if (!existsSync(dir)) return [];
    const names = readdirSync(dir);
    const out: RealObsJob[] = [];
    for (const job of names) {
      if (job.includes(':', job.lastIndexOf('::') + 2) || job.startsWith('.')) continue; // :status, :dir
      const [project = '', repository = '', rest = ''] = job.split('::');
      const entry: RealObsJob = { job, project, repository, package: rest.replace(/-[0-9a-f]{32}$/, '') };
      if (names.includes(`${job}:status`)) {
        let xml = '';
        try {
          xml = readFileSync(path.join(dir, `${job}:status`), 'utf8');
        } catch {
          // the job ended between listing and reading
        }
        const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
        const code = /<jobstatus code="([^"]+)"/.exec(xml)?.[1];
        if (code) entry.status = { code, workerid: element('workerid'), starttime: element('starttime') === undefined ? undefined : Number(element('starttime')) };
      }
      out.push(entry);
    }
    return out;
  }

  // ---- daemons ----

  /** SIGKILLs a scheduler's process group: OBS then reports it dead. */
  async killScheduler(arch: string): Promise<void> {
    await this.stopGroup(`sched.${arch}`, 'SIGKILL');
  }

  async restartScheduler(arch: string): Promise<void> {
    if (this.daemons.has(`sched.${arch}`)) throw new Error(`real OBS: scheduler ${arch} is running`);
    const started = Math.floor(Date.now() / 1000);
    this.spawnDaemon(`sched.${arch}`, 'bs_sched', [arch]);
    await poll(async () => {
      const tag = new RegExp(`<daemon type="scheduler" arch="${arch}" state="running" starttime="(\\d+)"`).exec(await this.workerStatus());
      return tag && Number(tag[1]) >= started ? true : undefined;
    }, `scheduler ${arch} running again`);
  }

  /** Stops worker n the way its init script does (`bs_worker --exit`), then makes sure its group is gone. */
  async stopWorker(n: number): Promise<void> {
    const name = `worker${n}`;
    if (!this.daemons.has(name)) return;
    const worker = path.join(this.server, 'worker');
    await new Promise<void>((resolve) => {
      const exit = spawn(path.join(worker, 'bs_worker'), ['--statedir', path.join(this.workerDir(n), 'state'), '--exit'], { cwd: worker, stdio: 'ignore', detached: true });
      const timer = setTimeout(() => killGroup(exit.pid!, 'SIGKILL'), 15_000);
      exit.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      exit.once('error', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    // `--exit` returns as soon as the worker resets its state file, just before the worker
    // tells the repserver it is going down: let the worker finish that and exit by itself (a
    // SIGTERM now could cut the message off and leave it registered as idle).
    const d = this.daemons.get(name);
    if (d) await Promise.race([d.exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
    await this.stopGroup(name, 'SIGTERM');
  }

  /**
   * Freezes worker n's process group (SIGSTOP) and thaws it again: a job it is building stays
   * "building" in the back end for as long as the test needs (builds here fail within a second).
   */
  pauseWorker(n: number): void {
    this.signalWorker(n, 'SIGSTOP');
  }
  resumeWorker(n: number): void {
    this.signalWorker(n, 'SIGCONT');
  }
  private signalWorker(n: number, signal: NodeJS.Signals): void {
    const d = this.daemons.get(`worker${n}`);
    if (!d) throw new Error(`real OBS: worker ${n} is not running`);
    killGroup(d.pgid, signal);
  }

  /**
   * Stops worker n and deletes the repserver's record of it, as an admin decommissioning a
   * worker does (OBS has no command for it): it leaves the worker status altogether.
   */
  async removeWorker(n: number): Promise<void> {
    await this.stopWorker(n);
    const idleName = `${this.workerArch}:${this.workerId(n)}`;
    for (const state of readdirSync(path.join(this.srv, 'workers'))) rmSync(path.join(this.srv, 'workers', state, idleName), { force: true });
  }

  /** The repserver's worker registry (srv/workers/<state>/<hostarch>:<id>): worker id -> state. */
  workerRegistry(): Map<string, string> {
    const out = new Map<string, string>();
    const root = path.join(this.srv, 'workers');
    if (!existsSync(root)) return out;
    for (const state of readdirSync(root)) {
      for (const name of readdirSync(path.join(root, state))) {
        if (!name.startsWith('.')) out.set(name.slice(name.indexOf(':') + 1), state);
      }
    }
    return out;
  }

  private async stopGroup(name: string, signal: NodeJS.Signals): Promise<void> {
    const d = this.daemons.get(name);
    if (!d) return;
    this.daemons.delete(name);
    killGroup(d.pgid, signal);
    killGroup(d.pgid, 'SIGCONT'); // a paused worker must be able to act on the signal
    const deadline = Date.now() + 5000;
    while (groupAlive(d.pgid) && Date.now() < deadline) await sleep(50);
    if (groupAlive(d.pgid)) killGroup(d.pgid, 'SIGKILL');
    while (groupAlive(d.pgid)) await sleep(20);
    live.delete(d.pgid);
  }

  /** Stops everything (workers gracefully first, then daemons in reverse start order) and removes the directory. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const workers = [...this.daemons.keys()].filter((n) => n.startsWith('worker')).map((n) => Number(n.slice('worker'.length)));
    await Promise.all(workers.map((n) => this.stopWorker(n)));
    await Promise.all([...this.daemons.keys()].map((name) => this.stopGroup(name, 'SIGTERM')));
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

export function startRealObs(options?: RealObsOptions): Promise<RealObs> {
  return RealObs.start(options);
}

/** A package's code for one arch in a `_result` document (first repository listing it). */
export function packageCodeIn(resultXml: string, pkg: string, arch: string): string | undefined {
  for (const m of resultXml.matchAll(/<result [^>]*arch="([^"]+)"[^>]*>([\s\S]*?)<\/result>/g)) {
    if (m[1] !== arch) continue;
    const status = new RegExp(`<status package="${pkg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" code="([^"]+)"`).exec(m[2]!);
    if (status) return status[1];
  }
  return undefined;
}

function minimalSpec(name: string, buildRequires: readonly string[]): string {
  return [
    `Name: ${name}`, 'Version: 1.0', 'Release: 0', `Summary: ${name}`, 'License: MIT',
    ...buildRequires.map((r) => `BuildRequires: ${r}`),
    '%description', name, '%prep', '%build', '%install', '%files', '%changelog', '',
  ].join('\n');
}
