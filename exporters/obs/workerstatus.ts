// Pure parser of OBS's worker status document (GET /worker/_status, /build/_workerstatus):
// XML text in, a typed summary out. Incremental, so a multi-megabyte document is parsed chunk
// by chunk as it arrives instead of holding the event loop for the whole document.
// Semantics follow OBS's own reader (WorkerStatus#parse_worker_infos) and bs_repserver.
import { ElementScanner, type TagAttributes } from './element-scanner.js';
import { DistinctLimit, finiteNumber, ObsParseError, wholeNumber } from './xml-stream.js';

/**
 * What one worker status document may bring, far above the largest farms (openSUSE's has about
 * 20 architectures, a few hundred worker hosts and a few thousand workers) and far below what
 * 16 MiB of hostile XML could: each distinct value becomes series and memory.
 */
export const WORKER_STATUS_LIMITS = {
  architectures: 128,
  workerHosts: 20_000,
  workers: 250_000,
  daemons: 2_000,
} as const;

/** Worker states in OBS's precedence order: a worker id listed twice counts as the first. */
export const WORKER_STATES = ['building', 'idle', 'dead', 'down', 'away'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

export interface SchedulerQueue {
  readonly high: number;
  readonly med: number;
  readonly low: number;
  readonly next: number;
}

export interface DaemonStatus {
  /** Partition name, or `main` for a nameless partition or the pre-2.5 format. */
  readonly partition: string;
  /** Open set: scheduler, dispatcher, publisher, signer, warden, srcserver, clouduploadworker... */
  readonly type: string;
  /** The scheduler's architecture; empty for every other daemon type. */
  readonly arch: string;
  readonly state: string;
  readonly queue: SchedulerQueue | null;
}

/** When a daemon started (unix seconds), for the daemons that report it (a dead one does not). */
export interface DaemonStart {
  readonly partition: string;
  readonly type: string;
  readonly arch: string;
  readonly startTime: number;
}

/** A job running on a worker now (a <building> row). */
export interface RunningBuild {
  readonly workerId: string;
  readonly host: string;
  readonly project: string;
  readonly repository: string;
  readonly package: string;
  readonly arch: string;
  /** Unix seconds; null when unknown (absent, or 0 as OBS test back ends send). */
  readonly startTime: number | null;
}

export interface WorkerStatusSummary {
  /** `pre-2.5` when daemons came as top-level <scheduler> elements. */
  readonly format: 'partitions' | 'pre-2.5';
  /** The document's `clients` attribute (building + idle as OBS counts them), if present. */
  readonly clients: number | null;
  /** hostarch → workers per state, each worker id counted once; every state present (0 if none). */
  readonly workers: ReadonlyMap<string, Readonly<Record<WorkerState, number>>>;
  /** Worker host (id up to its last `:` or `/`) → workers per state, states present only. */
  readonly hosts: ReadonlyMap<string, ReadonlyMap<WorkerState, number>>;
  /** Scheduler arch → jobs waiting for a worker. */
  readonly waiting: ReadonlyMap<string, number>;
  /** Scheduler arch → OBS's "blocked": packages not yet done (blocked + scheduled). */
  readonly blocked: ReadonlyMap<string, number>;
  /** Scheduler arch → jobs building (rows of <building>). */
  readonly building: ReadonlyMap<string, number>;
  /** Scheduler arch → start time (unix seconds) of its oldest running build; absent if none. */
  readonly oldestBuildStart: ReadonlyMap<string, number>;
  /** Scheduler arch → moving average of a job's duration in seconds. */
  readonly buildAverageSeconds: ReadonlyMap<string, number>;
  /** Every arch the document mentions for jobs (waiting, blocked, buildavg, building, schedulers). */
  readonly arches: ReadonlySet<string>;
  readonly daemons: readonly DaemonStatus[];
  readonly daemonStarts: readonly DaemonStart[];
  /** One per building worker id (the first row wins); empty unless asked for (see WorkerStatusOptions). */
  readonly running: readonly RunningBuild[];
}

/**
 * Daemon types that old servers reported as `<scheduler arch="TYPE">`. Any other value of
 * `arch` there is a scheduler's architecture.
 */
const PRE_25_DAEMON_TYPES = new Set([
  'dispatcher', 'publisher', 'signer', 'warden', 'repserver', 'srcserver', 'service', 'servicedispatch',
  'deltastore', 'dodup', 'notifyforward', 'redis', 'sourcepublish', 'clouduploadserver', 'clouduploadworker',
]);

const STATE_RANK: Readonly<Record<string, number>> = { building: 0, idle: 1, dead: 2, down: 3, away: 4 };

/** The host part of a worker id: up to the last `:` (current) or `/` (old servers). */
export function workerHost(workerId: string): string {
  const cut = hostCut(workerId);
  return cut > 0 ? workerId.slice(0, cut) : workerId;
}

/** Where a worker id's host part ends: its last `:` or `/`; 0 or -1 when it is all host. */
function hostCut(workerId: string): number {
  return Math.max(workerId.lastIndexOf(':'), workerId.lastIndexOf('/'));
}

/** Workers of one host: counts per state rank, and the packed states of its `host:N` ids by N. */
interface HostWorkers {
  readonly counts: number[];
  readonly instances: number[];
}

/**
 * N of a worker id `host:N` (cut at its `:`) when N is written the one way a number is (digits,
 * no leading zero) and below 10,000; -1 otherwise, and the id is kept whole (otherWorkers).
 */
function instanceNumber(workerId: string, cut: number): number {
  if (cut <= 0 || workerId.charCodeAt(cut) !== 0x3a /* : */) return -1;
  const digits = workerId.length - cut - 1;
  if (digits < 1 || digits > 4 || (digits > 1 && workerId.charCodeAt(cut + 1) === 0x30 /* 0 */)) return -1;
  let n = 0;
  for (let i = cut + 1; i < workerId.length; i++) {
    const d = workerId.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A worker's state rank and host arch packed in one number (rank + RANKS × index of the host
 * arch in hostArches): with tens of thousands of workers, a Map of numbers parses about 30%
 * faster than a Map of small objects, which the garbage collector has to copy and trace.
 */
const RANKS = WORKER_STATES.length;

export interface WorkerStatusOptions {
  /**
   * Keep one RunningBuild per building worker (default true). Off, a big farm's document
   * costs no per-job objects or id set: only the per-arch counts and oldest start are kept.
   */
  readonly runningBuilds?: boolean;
}

/** Builds a WorkerStatusSummary from chunks of a document: write() each chunk, then end(). */
export class WorkerStatusParser {
  private readonly xml: ElementScanner;
  /**
   * Each worker's state rank and host arch packed in one number (rank + RANKS × its host arch's
   * index in hostArches), to count a worker id listed twice once. Ids of the usual `host:N`
   * form are kept per host, by N, in HostWorkers.instances: an array index instead of a hash
   * lookup in a map of 50,000 strings, which was the largest part of a row's cost. Other ids
   * are kept here.
   */
  private readonly otherWorkers = new Map<string, number>();
  private workerCount = 0;
  private readonly hostArches: string[] = [];
  private readonly hostArchIndex = new Map<string, number>();
  // Counts are kept up to date row by row (a re-ranked worker moves between states), so that
  // end() has nothing proportional to the number of workers left to do in one go. Each is an
  // array of counts indexed by state rank; perArch is indexed like hostArches.
  private readonly perArch: number[][] = [];
  private readonly perHost = new Map<string, HostWorkers>();
  // The previous row's host arch and host: OBS lists worker ids sorted, so consecutive rows
  // mostly share both, and a row then costs no slice, hash or map lookup for them.
  private lastHostArch = '';
  private lastHostArchSlot = -1;
  private lastHostName = '';
  private lastHost: HostWorkers | null = null;
  private anonymousRows = 0;
  private clients: number | null = null;
  private format: WorkerStatusSummary['format'] = 'partitions';
  private readonly waiting = new Map<string, number>();
  private readonly blocked = new Map<string, number>();
  private readonly building = new Map<string, number>();
  private readonly oldest = new Map<string, number>();
  private readonly buildavg = new Map<string, number[]>();
  private readonly daemons: Array<DaemonStatus & { queue: SchedulerQueue | null }> = [];
  private readonly daemonStarts: DaemonStart[] = [];
  private readonly running: RunningBuild[] = [];
  private readonly runningIds = new Set<string>();
  private readonly daemonKeys = new Set<string>();
  private partition = 'main';
  private readonly arches = new DistinctLimit('architectures', WORKER_STATUS_LIMITS.architectures);
  private readonly hostNames = new DistinctLimit('worker hosts', WORKER_STATUS_LIMITS.workerHosts);
  /** The daemon whose <queue> may follow, or null after a duplicate was skipped. */
  private currentDaemon: { queue: SchedulerQueue | null } | null = null;

  private readonly keepRunning: boolean;

  constructor(options: WorkerStatusOptions = {}) {
    this.keepRunning = options.runningBuilds ?? true;
    this.xml = new ElementScanner('workerstatus', {
      open: (name, attrs, path) => this.open(name, attrs, path),
      close: (name) => {
        if (name === 'daemon' || name === 'scheduler') this.currentDaemon = null;
      },
    });
  }

  write(chunk: string): void {
    this.xml.write(chunk);
  }

  end(): WorkerStatusSummary {
    this.xml.end();
    return this.summary();
  }

  private open(name: string, attrs: TagAttributes, path: readonly string[]): void {
    const depth = path.length;
    if (depth === 0) {
      const clients = attrs.get('clients');
      if (clients !== undefined) this.clients = wholeNumber(clients, 'clients', '<workerstatus>');
      return;
    }
    if (depth === 1) {
      switch (name) {
        case 'idle':
        case 'building':
        case 'down':
        case 'dead':
        case 'away':
          this.worker(name, attrs);
          return;
        case 'waiting':
          add(this.waiting, this.arch(attrs, name), wholeNumber(attrs.get('jobs'), 'jobs', `<waiting arch="${attrs.get('arch')}">`));
          return;
        case 'blocked':
          add(this.blocked, this.arch(attrs, name), wholeNumber(attrs.get('jobs'), 'jobs', `<blocked arch="${attrs.get('arch')}">`));
          return;
        case 'buildavg': {
          const a = this.arch(attrs, name);
          const value = finiteNumber(attrs.get('buildavg'), 'buildavg', `<buildavg arch="${a}">`);
          const list = this.buildavg.get(a);
          if (list) list.push(value);
          else this.buildavg.set(a, [value]);
          return;
        }
        case 'partition': {
          const partition = attrs.get('name');
          this.partition = partition?.trim() ? partition : 'main';
          return;
        }
        case 'scheduler': {
          // Before OBS 2.5: top-level <scheduler arch="i586|dispatcher|..."> and no partitions.
          this.format = 'pre-2.5';
          const a = attrs.get('arch') ?? '';
          const isDaemonType = PRE_25_DAEMON_TYPES.has(a);
          if (!isDaemonType && a) this.arches.admit(a);
          this.daemon('main', isDaemonType ? a : 'scheduler', isDaemonType ? '' : a, attrs);
          return;
        }
        default:
          return; // elements newer servers may add are not ours to reject
      }
    }
    if (depth === 2 && name === 'daemon' && path[1] === 'partition') {
      const type = attrs.get('type')?.trim();
      if (!type) throw new ObsParseError(`<daemon> without a type in partition ${this.partition}`);
      const schedulerArch = type === 'scheduler' ? (attrs.get('arch') ?? '') : '';
      if (schedulerArch) this.arches.admit(schedulerArch);
      this.daemon(this.partition, type, schedulerArch, attrs);
      return;
    }
    if (name === 'queue' && this.currentDaemon && (path[depth - 1] === 'daemon' || path[depth - 1] === 'scheduler')) {
      const where = '<queue>';
      this.currentDaemon.queue = {
        high: wholeNumber(attrs.get('high'), 'high', where),
        med: wholeNumber(attrs.get('med'), 'med', where),
        low: wholeNumber(attrs.get('low'), 'low', where),
        next: wholeNumber(attrs.get('next'), 'next', where),
      };
    }
  }

  private arch(attrs: TagAttributes, element: string): string {
    const a = attrs.get('arch')?.trim();
    if (!a) throw new ObsParseError(`<${element}> without an arch`);
    return this.arches.admit(a);
  }

  private worker(state: WorkerState, attrs: TagAttributes): void {
    const rank = STATE_RANK[state]!;
    const hostarch = attrs.get('hostarch') ?? '';
    const slot = this.hostArchSlot(hostarch);
    const workerId = attrs.get('workerid');
    let host: HostWorkers | null = null;
    let instance = -1;
    if (workerId !== undefined) {
      const cut = hostCut(workerId);
      host = this.host(workerId, cut);
      instance = instanceNumber(workerId, cut);
    }
    const id = workerId ?? `\u0000row${this.anonymousRows++}`;
    const seen = instance >= 0 ? host!.instances[instance] : this.otherWorkers.get(id);
    const packed = rank + RANKS * slot;
    if (seen === undefined) {
      if (this.workerCount >= WORKER_STATUS_LIMITS.workers) {
        throw new ObsParseError(`more than ${WORKER_STATUS_LIMITS.workers} workers in one document (refused as hostile; the limits are documented in docs/collectors/obs.md)`);
      }
      this.workerCount++;
      if (instance >= 0) host!.instances[instance] = packed;
      else this.otherWorkers.set(id, packed);
      this.perArch[slot]![rank]!++;
      if (host !== null) host.counts[rank]!++;
    } else if (rank < seen % RANKS) {
      // Rare (a stale row in a later list): moved from the state it was counted in.
      const before = seen % RANKS;
      this.perArch[Math.floor(seen / RANKS)]![before]!--;
      this.perArch[slot]![rank]!++;
      if (host !== null) {
        host.counts[before]!--;
        host.counts[rank]!++;
      }
      if (instance >= 0) host!.instances[instance] = packed;
      else this.otherWorkers.set(id, packed);
    }
    if (state === 'building') {
      const arch = attrs.get('arch');
      const a = arch === undefined ? hostarch : this.arches.admit(arch);
      add(this.building, a, 1);
      // 0 is what OBS test back ends send for "not known": never a build started in 1970.
      const starttime = attrs.get('starttime');
      const start = starttime === undefined ? 0 : wholeNumber(starttime, 'starttime', () => `<building workerid="${workerId ?? ''}">`);
      if (start > 0) {
        const before = this.oldest.get(a);
        if (before === undefined || start < before) this.oldest.set(a, start);
      }
      if (this.keepRunning && workerId !== undefined && !this.runningIds.has(workerId)) {
        this.runningIds.add(workerId);
        this.running.push({
          workerId,
          host: workerHost(workerId),
          project: attrs.get('project') ?? '',
          repository: attrs.get('repository') ?? '',
          package: attrs.get('package') ?? '',
          arch: a,
          startTime: start > 0 ? start : null,
        });
      }
    }
  }

  /** The index of a host arch in hostArches and perArch, admitting it the first time. */
  private hostArchSlot(hostarch: string): number {
    if (hostarch === this.lastHostArch && this.lastHostArchSlot >= 0) return this.lastHostArchSlot;
    let slot = this.hostArchIndex.get(hostarch);
    if (slot === undefined) {
      this.arches.admit(hostarch);
      slot = this.hostArches.push(hostarch) - 1;
      this.hostArchIndex.set(hostarch, slot);
      this.perArch.push([0, 0, 0, 0, 0]);
    }
    this.lastHostArch = hostarch;
    this.lastHostArchSlot = slot;
    return slot;
  }

  /** The workers of a worker id's host (cut: see hostCut), admitting the host the first time. */
  private host(workerId: string, cut: number): HostWorkers {
    if (this.lastHost !== null && cut === this.lastHostName.length && workerId.startsWith(this.lastHostName)) return this.lastHost;
    const name = this.hostNames.admit(cut > 0 ? workerId.slice(0, cut) : workerId);
    let host = this.perHost.get(name);
    if (host === undefined) this.perHost.set(name, (host = { counts: [0, 0, 0, 0, 0], instances: [] }));
    this.lastHostName = name;
    this.lastHost = host;
    return host;
  }

  private daemon(partition: string, type: string, arch: string, attrs: TagAttributes): void {
    const key = `${partition}\u0000${type}\u0000${arch}`;
    // A repeated daemon would make duplicate series; the first report wins.
    if (this.daemonKeys.has(key)) {
      this.currentDaemon = null;
      return;
    }
    if (this.daemonKeys.size >= WORKER_STATUS_LIMITS.daemons) {
      throw new ObsParseError(`more than ${WORKER_STATUS_LIMITS.daemons} daemons in one document (refused as hostile; the limits are documented in docs/collectors/obs.md)`);
    }
    this.daemonKeys.add(key);
    const starttime = attrs.get('starttime');
    const start = starttime === undefined ? 0 : wholeNumber(starttime, 'starttime', `<daemon type="${type}">`);
    const entry = { partition, type, arch, state: attrs.get('state')?.trim() || 'unknown', queue: null as SchedulerQueue | null };
    if (start > 0) this.daemonStarts.push({ partition, type, arch, startTime: start });
    this.daemons.push(entry);
    this.currentDaemon = entry;
  }

  private summary(): WorkerStatusSummary {
    // A worker re-ranked from a host arch it was first listed under can leave all-zero counts.
    const workers = new Map<string, Record<WorkerState, number>>();
    this.perArch.forEach((counts, slot) => {
      if (counts.some((n) => n > 0)) workers.set(this.hostArches[slot]!, Object.fromEntries(WORKER_STATES.map((state, rank) => [state, counts[rank]!])) as Record<WorkerState, number>);
    });
    const hosts = new Map<string, Map<WorkerState, number>>();
    for (const [host, { counts }] of this.perHost) {
      const states = new Map(WORKER_STATES.flatMap((state, rank) => (counts[rank]! > 0 ? [[state, counts[rank]!] as const] : [])));
      if (states.size > 0) hosts.set(host, states);
    }
    const buildAverageSeconds = new Map<string, number>();
    for (const [a, values] of this.buildavg) {
      // With partitions the srcserver already averages; repeated rows are averaged likewise.
      buildAverageSeconds.set(a, values.reduce((x, y) => x + y, 0) / values.length);
    }
    const arches = new Set<string>([...this.waiting.keys(), ...this.blocked.keys(), ...this.building.keys(), ...buildAverageSeconds.keys()]);
    for (const d of this.daemons) if (d.type === 'scheduler' && d.arch) arches.add(d.arch);
    const building = new Map(this.building);
    for (const a of arches) if (!building.has(a)) building.set(a, 0);
    return {
      format: this.format,
      clients: this.clients,
      workers,
      hosts,
      waiting: this.waiting,
      blocked: this.blocked,
      building,
      oldestBuildStart: this.oldest,
      buildAverageSeconds,
      arches,
      daemons: this.daemons,
      daemonStarts: this.daemonStarts,
      running: this.running,
    };
  }
}

/** Parses a whole document at once: for tests and small replies. */
export function parseWorkerStatus(xml: string): WorkerStatusSummary {
  const parser = new WorkerStatusParser();
  parser.write(xml);
  return parser.end();
}


function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}
