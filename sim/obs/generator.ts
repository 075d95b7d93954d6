// Generates realistic OBS worker status documents of any size for tests and the benchmark,
// together with the totals it put in. The totals are the generator's own bookkeeping, decided
// before any XML is written, so tests compare the parser against something independent of it.

export type GeneratedWorkerState = 'building' | 'idle' | 'dead' | 'down' | 'away';

export interface GeneratedDaemon {
  partition: string;
  type: string;
  arch: string;
  state: string;
  queue: { high: number; med: number; low: number; next: number } | null;
}

export interface WorkerStatusTotals {
  /** Distinct worker ids. */
  workers: number;
  /** Rows written for workers, including stale duplicates in lower-precedence lists. */
  workerRows: number;
  byHostarch: Record<string, Record<GeneratedWorkerState, number>>;
  /** host → state → instances, states present only. */
  byHost: Record<string, Partial<Record<GeneratedWorkerState, number>>>;
  waiting: Record<string, number>;
  blocked: Record<string, number>;
  /** Build arch → running jobs, for every build arch (0 where none). */
  building: Record<string, number>;
  /** Build arch → earliest starttime among its running jobs (absent where none). */
  oldestStart: Record<string, number>;
  buildavg: Record<string, number>;
  daemons: GeneratedDaemon[];
}

export interface GeneratedWorkerStatus {
  xml: string;
  totals: WorkerStatusTotals;
}

export interface GenerateOptions {
  hosts: number;
  instancesPerHost: number;
  /** Named partitions; absent = one nameless <partition> (a single-partition setup). */
  partitions?: readonly string[];
  seed?: number;
  /** Unix seconds used as "now" for build start times. */
  now?: number;
}

/** Host architectures cycle through this list (x86_64 dominates, as on real farms). */
const HOST_ARCHES = ['x86_64', 'x86_64', 'x86_64', 'aarch64', 'ppc64le', 's390x'] as const;
/** Which scheduler (build) arches a host arch builds for. */
const BUILD_ARCHES: Record<string, readonly string[]> = {
  x86_64: ['x86_64', 'i586'],
  aarch64: ['aarch64', 'armv7l'],
  ppc64le: ['ppc64le'],
  s390x: ['s390x'],
};
const ALL_BUILD_ARCHES = ['x86_64', 'i586', 'aarch64', 'armv7l', 'ppc64le', 's390x', 'local'] as const;

/** mulberry32: a tiny deterministic PRNG so a seed always gives the same document. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Worker id: current servers use host:N; every seventh host is an old-style host/N one. */
export function generatedWorkerId(hostIndex: number, instance: number): string {
  return hostIndex % 7 === 6 ? `build${String(hostIndex).padStart(3, '0')}/${instance}` : `obs-w${String(hostIndex).padStart(4, '0')}:${instance}`;
}

export function generatedHostName(hostIndex: number): string {
  return hostIndex % 7 === 6 ? `build${String(hostIndex).padStart(3, '0')}` : `obs-w${String(hostIndex).padStart(4, '0')}`;
}

export function generateWorkerStatus(opts: GenerateOptions): GeneratedWorkerStatus {
  const random = prng(opts.seed ?? 1);
  const int = (max: number) => Math.floor(random() * max);
  const now = opts.now ?? 1_750_000_000;

  const rows: Record<GeneratedWorkerState, string[]> = { idle: [], building: [], down: [], dead: [], away: [] };
  const totals: WorkerStatusTotals = {
    workers: 0,
    workerRows: 0,
    byHostarch: {},
    byHost: {},
    waiting: {},
    blocked: {},
    building: {},
    oldestStart: {},
    buildavg: {},
    daemons: [],
  };
  for (const a of ALL_BUILD_ARCHES) totals.building[a] = 0;

  for (let h = 0; h < opts.hosts; h++) {
    const hostarch = HOST_ARCHES[h % HOST_ARCHES.length]!;
    const host = generatedHostName(h);
    // A whole host is occasionally down (powered off): every instance listed in <down>.
    const hostDown = random() < 0.03;
    for (let n = 1; n <= opts.instancesPerHost; n++) {
      const id = generatedWorkerId(h, n);
      const roll = random();
      const state: GeneratedWorkerState = hostDown ? 'down' : roll < 0.55 ? 'building' : roll < 0.8 ? 'idle' : roll < 0.92 ? 'down' : roll < 0.97 ? 'away' : 'dead';
      totals.workers++;
      const perArch = (totals.byHostarch[hostarch] ??= { building: 0, idle: 0, dead: 0, down: 0, away: 0 });
      perArch[state]++;
      const perHost = (totals.byHost[host] ??= {});
      perHost[state] = (perHost[state] ?? 0) + 1;

      if (state === 'building') {
        const choices = BUILD_ARCHES[hostarch]!;
        const arch = choices[int(choices.length)]!;
        const start = now - 60 - int(86_400);
        totals.building[arch]!++;
        if (totals.oldestStart[arch] === undefined || start < totals.oldestStart[arch]!) totals.oldestStart[arch] = start;
        rows.building.push(
          `  <building workerid="${id}" hostarch="${hostarch}" project="home:user${int(500)}:branches:devel" repository="openSUSE_Tumbleweed" package="pkg-${int(20_000)}" arch="${arch}" starttime="${start}"/>`,
        );
        // OBS lists a worker that just got a new job in <idle> too until it re-registers.
        if (random() < 0.05) rows.idle.push(`  <idle workerid="${id}" hostarch="${hostarch}"/>`);
      } else {
        rows[state].push(`  <${state} workerid="${id}" hostarch="${hostarch}"/>`);
        // The transient building->down entry outlives the worker's re-registration as idle.
        if (state === 'idle' && random() < 0.1) rows.down.push(`  <down workerid="${id}" hostarch="${hostarch}"/>`);
      }
    }
  }

  const jobs: string[] = [];
  for (const a of ALL_BUILD_ARCHES) {
    totals.waiting[a] = int(5000);
    jobs.push(`  <waiting arch="${a}" jobs="${totals.waiting[a]}"/>`);
  }
  for (const a of ALL_BUILD_ARCHES) {
    totals.blocked[a] = int(20_000);
    jobs.push(`  <blocked arch="${a}" jobs="${totals.blocked[a]}"/>`);
  }
  for (const a of ALL_BUILD_ARCHES) {
    totals.buildavg[a] = 600 + Math.round(random() * 9_000_000) / 1000;
    jobs.push(`  <buildavg arch="${a}" buildavg="${totals.buildavg[a]}"/>`);
  }

  const partitions: Array<string | null> = opts.partitions && opts.partitions.length > 0 ? [...opts.partitions] : [null];
  const parts: string[] = [];
  partitions.forEach((name, p) => {
    const partition = name ?? 'main';
    const lines: string[] = [name === null ? '  <partition>' : `  <partition name="${name}">`];
    const daemon = (type: string, arch: string, state: string, withQueue: boolean) => {
      const queue = withQueue ? { high: int(10), med: int(200), low: int(5000), next: int(20_000) } : null;
      totals.daemons.push({ partition, type, arch, state, queue });
      const archAttr = arch ? ` arch="${arch}"` : '';
      if (queue) {
        lines.push(`    <daemon type="${type}"${archAttr} state="${state}" starttime="${now - 3600}">`);
        lines.push(`      <queue high="${queue.high}" med="${queue.med}" low="${queue.low}" next="${queue.next}"/>`);
        lines.push('    </daemon>');
      } else lines.push(`    <daemon type="${type}"${archAttr} state="${state}" starttime="${now - 3600}"/>`);
    };
    if (p === 0) for (const t of ['srcserver', 'servicedispatch', 'service']) daemon(t, '', 'running', false);
    ALL_BUILD_ARCHES.forEach((a, i) => daemon('scheduler', a, p === 1 && i === 1 ? 'booting' : 'running', true));
    daemon('repserver', '', 'running', false);
    daemon('dispatcher', '', 'running', false);
    daemon('publisher', '', p === 0 ? 'running' : 'dead', false);
    daemon('signer', '', 'running', false);
    // A state outside running/booting/dead: the exporter must pass it through.
    daemon('warden', '', p === 0 ? 'running' : 'restarting', false);
    lines.push('  </partition>');
    parts.push(...lines);
  });

  totals.workerRows = rows.idle.length + rows.building.length + rows.down.length + rows.dead.length + rows.away.length;
  const xml = [
    `<workerstatus clients="${rows.idle.length + rows.building.length}">`,
    ...rows.idle,
    ...rows.building,
    ...rows.down,
    ...rows.dead,
    ...rows.away,
    ...jobs,
    ...parts,
    '</workerstatus>',
    '',
  ].join('\n');
  return { xml, totals };
}
