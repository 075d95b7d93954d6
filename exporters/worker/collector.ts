// The worker collector's I/O: reads meminfo, the OBS worker configuration, the mount table and
// statfs of the selected tmpfs mounts, and turns the pure computations into samples.
import { existsSync, statfsSync, statSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import { defineCollector, type CollectContext, type Collector, type Source } from '../../src/collector.js';
import { sample, type Sample } from '../../src/metrics.js';
import { globMatcher } from '../../src/glob.js';
import { rootPath, sysPath, type HostPaths } from '../../src/paths.js';
import { countCpus } from '../../src/procfs/block.js';
import { readMeminfo } from '../../src/procfs/meminfo.js';
import { fsTypeByMountPoint, onLocalFileSystems } from '../../src/procfs/local-fs.js';
import { readMountinfo, type MountInfo } from '../../src/procfs/mountinfo.js';
import { readPageSize } from '../../src/procfs/page-size.js';
import { readKernelFile } from '../../src/procfs/read.js';
import { memoryPicture, type TmpfsMount } from './memory-picture.js';
import { workerCatalog, workerMetrics as M } from './metrics.js';
import { DEFAULT_WORKER_DIRECTORY, resolveWorkerSettings, WorkerConfigError, type HostFacts, type WorkerSettings } from './obs-settings.js';
import { parseShellAssignments, ShellSyntaxError } from './shell-vars.js';
import { tmpfsSizeLimit } from './tmpfs.js';

export interface WorkerCollectorConfig {
  /** Host paths of the OBS worker configuration, in the order obsworker sources them. */
  readonly configFiles: readonly string[];
  /** Globs of tmpfs mount points to count; null = root_* under OBS_WORKER_DIRECTORY. */
  readonly tmpfsMounts: readonly string[] | null;
  readonly timeoutMs: number;
}

/** What the worker source keeps between scrapes. */
interface WorkerSourceState {
  /** Parsed variables of each config file, kept while the file stays the same (re-parsing it every scrape is waste). */
  readonly parsedConfigs: Map<string, { identity: string; vars: ReadonlyMap<string, string> }>;
  pageSize: Promise<number> | null;
  /** The mount point matcher, compiled once per set of patterns (compiling costs more than matching). */
  matcher: { key: string; match: (mountPoint: string) => boolean } | null;
  /** The build roots picked from the last mount table, kept while readMountinfo returns that same table. */
  selection: { mounts: readonly MountInfo[]; match: (mountPoint: string) => boolean; memTotal: number; pageSize: number; roots: readonly BuildRoot[] } | null;
}

/** A selected tmpfs and what is known of it without asking the kernel again. */
interface BuildRoot {
  readonly mountPoint: string;
  readonly sizeLimitBytes: number | null;
  /** Where to statfs it, under the configured root file system. */
  readonly file: string;
  /** Every mount on the way is local: statfs on the event loop (see tmpfsUsed). */
  readonly local: boolean;
}

/** statfs f_type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES') return 'permission denied';
  if (e.code === 'EISDIR') return 'is a directory';
  return e.code ?? String(err);
}

/** Merged variables of the config files that exist, or null when none does. */
async function readObsConfig(
  paths: HostPaths,
  files: readonly string[],
  parsedConfigs: WorkerSourceState['parsedConfigs'],
): Promise<Map<string, string> | null> {
  let found = false;
  const vars = new Map<string, string>();
  for (const hostFile of files) {
    const file = rootPath(paths, hostFile);
    // A missing file is normal (optional, as in obsworker): ask without raising ENOENT.
    let st;
    try {
      st = statSync(file, { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      throw new Error(`cannot read OBS worker configuration ${file}: ${errnoText(err)}`);
    }
    if (!st) continue;
    const identity = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    let cached = parsedConfigs.get(file);
    if (cached?.identity !== identity) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed since the stat
        throw new Error(`cannot read OBS worker configuration ${file}: ${errnoText(err)}`);
      }
      try {
        cached = { identity, vars: parseShellAssignments(text) };
      } catch (err) {
        if (err instanceof ShellSyntaxError) throw new Error(`OBS worker configuration ${file}: ${err.message}`);
        throw err;
      }
      parsedConfigs.set(file, cached);
    }
    found = true;
    for (const [k, v] of cached.vars) vars.set(k, v);
  }
  return found ? vars : null;
}

async function hostFacts(paths: HostPaths, vars: ReadonlyMap<string, string>): Promise<HostFacts> {
  const instances = (vars.get('OBS_WORKER_INSTANCES') ?? '').trim();
  let cpuCount = 0;
  if (instances === '' || /^0+$/.test(instances)) {
    try {
      cpuCount = await countCpus(paths);
    } catch (err) {
      throw new Error(`OBS_WORKER_INSTANCES is 0 (one per CPU) but CPUs cannot be counted in ${sysPath(paths, 'devices/system/cpu')}: ${errnoText(err)}`);
    }
  }
  const kvmAvailable = existsSync(rootPath(paths, '/dev/kvm')) && existsSync(rootPath(paths, '/usr/bin/qemu-kvm'));
  let xenAvailable = false;
  try {
    xenAvailable = (await readKernelFile(sysPath(paths, 'hypervisor', 'type'))).includes('xen');
  } catch {
    /* no hypervisor information: not Xen */
  }
  return { cpuCount, kvmAvailable, xenAvailable };
}

/**
 * Used bytes of a tmpfs, or null when what is there now is not a tmpfs (job ended, unmounted).
 * `local`: every mount on the way is local, so statfs runs on the event loop (microseconds);
 * otherwise it goes to the thread pool, where a hung network mount holds only the refresh.
 */
async function tmpfsUsed(file: string, local: boolean): Promise<number | null> {
  try {
    const st = local ? statfsSync(file) : await statfs(file);
    if (st.type !== TMPFS_MAGIC) return null;
    return (st.blocks - st.bfree) * st.bsize;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null; // vanished between the table and statfs
    throw new Error(`statfs ${file}: ${errnoText(err)}`);
  }
}

function mountMatcher(state: WorkerSourceState, patterns: readonly string[]): (mountPoint: string) => boolean {
  const key = patterns.join('\0');
  if (state.matcher?.key !== key) state.matcher = { key, match: globMatcher(patterns) };
  return state.matcher.match;
}

/** The tmpfs mounts the patterns select, the last mount at a place deciding; no statfs yet. */
function buildRoots(paths: HostPaths, mounts: readonly MountInfo[], selected: (mountPoint: string) => boolean, memTotal: number, pageSize: number): BuildRoot[] {
  const byMountPoint = new Map<string, { options: ReadonlyMap<string, string> }>();
  const types = fsTypeByMountPoint(mounts);
  for (const m of mounts) {
    if (!selected(m.mountPoint)) continue;
    // Later mounts hide earlier ones at the same place: the last one decides.
    if (m.fsType === 'tmpfs') byMountPoint.set(m.mountPoint, { options: m.superOptions });
    else byMountPoint.delete(m.mountPoint);
  }
  return [...byMountPoint].map(([mountPoint, { options }]) => ({
    mountPoint,
    sizeLimitBytes: tmpfsSizeLimit(options, memTotal, pageSize),
    file: rootPath(paths, mountPoint),
    local: onLocalFileSystems(types, mountPoint),
  }));
}

async function selectedTmpfsMounts(
  paths: HostPaths,
  state: WorkerSourceState,
  selected: (mountPoint: string) => boolean,
  memTotal: number,
  pageSize: number,
): Promise<TmpfsMount[]> {
  const mounts = await readMountinfo(paths);
  let s = state.selection;
  if (s === null || s.mounts !== mounts || s.match !== selected || s.memTotal !== memTotal || s.pageSize !== pageSize) {
    s = state.selection = { mounts, match: selected, memTotal, pageSize, roots: buildRoots(paths, mounts, selected, memTotal, pageSize) };
  }
  // Every build root at once: on a network mount one statfs after another would cost a round trip each.
  return Promise.all(s.roots.map(async (root) => ({ mountPoint: root.mountPoint, sizeLimitBytes: root.sizeLimitBytes, usedBytes: await tmpfsUsed(root.file, root.local) })));
}

function settingsSamples(s: WorkerSettings): Sample[] {
  return [
    sample(M.instances, {}, s.instances),
    sample(M.instanceMemory, {}, s.instanceMemoryBytes),
    sample(M.rootSize, {}, s.rootSizeBytes),
    sample(M.swapSize, {}, s.swapSizeBytes),
    sample(M.tmpfsEnabled, {}, s.tmpfs ? 1 : 0),
    sample(M.hugetlbfsEnabled, {}, s.hugetlbfs ? 1 : 0),
  ];
}

async function collectWorker(ctx: CollectContext, config: WorkerCollectorConfig, state: WorkerSourceState): Promise<Sample[]> {
  const { paths } = ctx;
  const meminfo = await readMeminfo(paths);
  const vars = await readObsConfig(paths, config.configFiles, state.parsedConfigs);
  let settings: WorkerSettings | null = null;
  if (vars) {
    try {
      settings = resolveWorkerSettings(vars, await hostFacts(paths, vars));
    } catch (err) {
      if (err instanceof WorkerConfigError) throw new Error(`OBS worker configuration (${config.configFiles.join(', ')}): ${err.message}`);
      throw err;
    }
  }
  const directory = settings?.workerDirectory ?? DEFAULT_WORKER_DIRECTORY;
  const patterns = config.tmpfsMounts ?? [directory === '/' ? '/root_*' : `${directory}/root_*`];
  state.pageSize ??= readPageSize(ctx.log);
  const mounts = await selectedTmpfsMounts(paths, state, mountMatcher(state, patterns), meminfo.get('MemTotal')!, await state.pageSize);
  const p = memoryPicture({ meminfo, settings, mounts });

  const out: Sample[] = [sample(M.configPresent, {}, settings ? 1 : 0)];
  if (settings) out.push(...settingsSamples(settings));
  out.push(
    sample(M.ram, {}, p.ramBytes),
    sample(M.swap, {}, p.swapBytes),
    sample(M.hugepages, {}, p.hugepagesBytes),
    sample(M.tmpfsPromised, {}, p.tmpfsPromisedBytes),
    sample(M.tmpfsUsed, {}, p.tmpfsUsedBytes),
    sample(M.tmpfsMounts, {}, p.tmpfsMounted),
    sample(M.vmMemoryPromised, {}, p.vmMemoryPromisedBytes),
    sample(M.overcommit, {}, p.overcommitRatio),
  );
  if (p.hugepagesOvercommitRatio !== null) out.push(sample(M.hugepagesOvercommit, {}, p.hugepagesOvercommitRatio));
  return out;
}

function workerSource(config: WorkerCollectorConfig): Source {
  const state: WorkerSourceState = { parsedConfigs: new Map(), pageSize: null, matcher: null, selection: null };
  return { id: 'worker', timeoutMs: config.timeoutMs, collect: (ctx) => collectWorker(ctx, config, state) };
}

export function createWorkerCollector(config: WorkerCollectorConfig): Collector {
  return defineCollector({
    name: 'worker',
    // The host-wide memory figures predate the collector prefix; renaming them would break
    // every dashboard and recording rule for no gain in meaning.
    subsystems: ['worker', 'memory', 'tmpfs', 'vm'],
    metrics: workerCatalog,
    sources: [workerSource(config)],
  });
}
