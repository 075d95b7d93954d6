// Worker hosts: how many more build instances each host takes before swap churn (or memory
// stall time, when that is the budget) passes the budget or the tmpfs + VM memory promise
// passes RAM + swap. Pure: series in, findings out. "Churn" below is whichever measure is
// budgeted: bytes per second of swap-in + swap-out, or the share of time stalled on memory.
//
// The model, as the report states it: the load is the number of building instances (averaged
// over the same range as the churn rate); for each load level seen (rounded to a whole
// instance) the median churn is taken, so the minutes in which the load changed do not pull
// the level; a hinge "flat up to a knee, linear above it" is fitted to those level medians by
// least squares, each level counting once. Where the line crosses the budget is the churn
// limit; the memory limit is (RAM + swap) / promise per instance.
import { formatBudgetValue, type Budget } from './budget.js';
import { formatBytes } from './format.js';
import { fitHinge, hingeValue, median, type HingeFit } from './regression.js';
import { joinPoints, type Series } from './series.js';

export interface WorkerHostInput {
  readonly host: string;
  /** Building instances over time (averaged over the rate range). */
  readonly load: Series | undefined;
  /** Swap in + out, bytes per second. */
  readonly churn: Series | undefined;
  /** tmpfs bytes held per building instance over time (tmpfs used / mounts, where mounts > 0). */
  readonly tmpfsPerInstance: Series | undefined;
  /** Newest values from the worker collector. */
  readonly instances: number | undefined;
  readonly ramBytes: number | undefined;
  readonly swapBytes: number | undefined;
  /** (tmpfs promised + VM memory promised) / (RAM + swap), as the worker collector reports it. */
  readonly overcommitRatio: number | undefined;
}

export interface LoadLevel {
  readonly load: number;
  readonly medianChurn: number;
  readonly samples: number;
}

export interface WorkerFinding {
  readonly host: string;
  readonly configuredInstances: number | null;
  readonly ramBytes: number | null;
  readonly swapBytes: number | null;
  /** What one more instance adds to the promise (root tmpfs + VM memory), bytes. */
  readonly promisePerInstanceBytes: number | null;
  /** The most tmpfs one building instance held at any time in the window, bytes. */
  readonly peakTmpfsPerInstanceBytes: number | null;
  /** Every (load, churn) point, thinned for the chart. */
  readonly points: ReadonlyArray<readonly [load: number, churn: number]>;
  readonly levels: readonly LoadLevel[];
  readonly fit: HingeFit | null;
  readonly maxObservedLoad: number | null;
  /** Load at which the fitted churn reaches the budget; null when it never does on the fit. */
  readonly budgetCrossingLoad: number | null;
  /** Whole instances the host runs within the churn budget; null when churn sets no limit. */
  readonly churnLimit: number | null;
  /** Whole instances whose promise fits in RAM + swap; null when unknown. */
  readonly memoryLimit: number | null;
  readonly capacity: number | null;
  readonly limitedBy: Budget['kind'] | 'memory promise' | null;
  /** capacity − configured instances: positive = instances to add, negative = to remove. */
  readonly change: number | null;
  readonly pastBudget: boolean;
  /** Share of the window's points with churn above the budget. */
  readonly shareOverBudget: number;
  /** The one or two figures that decided the capacity, in words. */
  readonly why: readonly string[];
  readonly confidence: WorkerConfidence;
  readonly notes: readonly string[];
}

/** How far the answer can be trusted: how much data, and how far beyond the load seen it reaches. */
export interface WorkerConfidence {
  /** Points with both load and the budgeted measure. */
  readonly points: number;
  /** Load levels with enough points to count in the fit. */
  readonly levels: number;
  /** How many instances the capacity lies beyond the highest load seen (0 when within it). */
  readonly extrapolatedInstances: number;
  readonly rating: 'good' | 'fair' | 'poor';
}

/** Points kept per host for the chart: enough to see the shape, small enough for the HTML. */
const CHART_POINTS = 600;
/** A load level needs this many points before its median counts. */
export const MIN_LEVEL_SAMPLES = 3;

/**
 * The whole instances that fit below a limit of `x` instances. The limits come out of a least
 * squares fit and float divisions, so a limit that is exactly N on paper may arrive as
 * N − 1e-12: within a millionth of an instance counts as on the limit, which fits.
 */
export function wholeInstancesWithin(x: number): number {
  return Math.max(0, Math.floor(x + 1e-6));
}

function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const every = items.length / max;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.floor(i * every)]!);
  return out;
}

export function analyseWorkerHost(input: WorkerHostInput, budget: Budget): WorkerFinding {
  const budgetBytesPerSecond = budget.limit;
  const show = (v: number) => formatBudgetValue(budget.kind, v);
  const notes: string[] = [];
  const pairs = input.load && input.churn ? joinPoints(input.load, input.churn) : [];
  if (!input.load) notes.push('no load series (headroom_tmpfs_mounts or OBS building instances) for this host');
  if (!input.churn) {
    notes.push(budget.kind === 'swap churn' ? 'no swap churn series (headroom_swap_in/out_bytes_total) for this host' : 'no memory stall series (headroom_pressure_memory_stalled_seconds_total) for this host');
  }

  const byLevel = new Map<number, number[]>();
  for (const [, load, churn] of pairs) {
    const level = Math.round(load);
    let list = byLevel.get(level);
    if (!list) byLevel.set(level, (list = []));
    list.push(churn);
  }
  const levels: LoadLevel[] = [...byLevel.entries()]
    .filter(([, churns]) => churns.length >= MIN_LEVEL_SAMPLES)
    .map(([load, churns]) => ({ load, medianChurn: median(churns), samples: churns.length }))
    .sort((a, b) => a.load - b.load);
  const fit = fitHinge(levels.map((l) => l.load), levels.map((l) => l.medianChurn));
  const maxObservedLoad = levels.length ? levels[levels.length - 1]!.load : null;
  if (pairs.length > 0 && levels.length < 2) notes.push('the load stayed at one level in the window: no ${budget.kind} trend can be fitted');

  let budgetCrossingLoad: number | null = null;
  let churnLimit: number | null = null;
  if (fit) {
    if (fit.base > budgetBytesPerSecond) {
      notes.push(`${budget.kind} is above the budget even at the lowest load seen: it does not come from builds alone`);
    } else if (fit.slope > 0) {
      budgetCrossingLoad = fit.knee + (budgetBytesPerSecond - fit.base) / fit.slope;
      churnLimit = wholeInstancesWithin(budgetCrossingLoad);
      if (maxObservedLoad !== null && budgetCrossingLoad > maxObservedLoad) {
        notes.push(`the budget is crossed beyond the highest load seen (${maxObservedLoad}): extrapolated`);
      }
    } else {
      notes.push(`${budget.kind} does not grow with load up to ${maxObservedLoad} building instances: it sets no limit in the data`);
    }
  }

  const instances = input.instances ?? null;
  const ram = input.ramBytes ?? null;
  const swap = input.swapBytes ?? null;
  let promisePerInstance: number | null = null;
  let memoryLimit: number | null = null;
  if (instances && instances > 0 && ram !== null && input.overcommitRatio !== undefined && input.overcommitRatio > 0) {
    promisePerInstance = (input.overcommitRatio * (ram + (swap ?? 0))) / instances;
    // (RAM + swap) / promise per instance, without the round trip through bytes.
    memoryLimit = wholeInstancesWithin(instances / input.overcommitRatio);
  } else {
    notes.push('no promise per instance (headroom_worker_instances, headroom_memory_overcommit_ratio): memory sets no limit here');
  }

  let peakTmpfs: number | null = null;
  for (const [, perInstance] of input.tmpfsPerInstance?.points ?? []) peakTmpfs = Math.max(peakTmpfs ?? 0, perInstance);

  const limits = [churnLimit, memoryLimit].filter((l): l is number => l !== null);
  const capacity = limits.length ? Math.min(...limits) : null;
  const limitedBy = capacity === null ? null : churnLimit !== null && churnLimit === capacity ? budget.kind : 'memory promise';
  const change = capacity !== null && instances !== null ? capacity - instances : null;
  const overBudget = pairs.filter(([, , c]) => c > budgetBytesPerSecond).length;
  const fittedAtConfigured = fit && instances !== null ? hingeValue(fit, instances) : null;
  const pastBudget =
    (fit !== null && fit.base > budgetBytesPerSecond) ||
    (fittedAtConfigured !== null && fittedAtConfigured > budgetBytesPerSecond) ||
    (levels.length > 0 && levels[levels.length - 1]!.medianChurn > budgetBytesPerSecond);

  const why: string[] = [];
  if (fit && budgetCrossingLoad !== null) {
    why.push(`${budget.kind} ${show(fit.base)} up to ${fit.knee} building instances, +${show(fit.slope)} per instance above: reaches the budget of ${show(budgetBytesPerSecond)} at ${budgetCrossingLoad.toFixed(2)} instances, so ${churnLimit} fit`);
  } else if (fit && fit.base > budgetBytesPerSecond) {
    why.push(`${budget.kind} is ${show(fit.base)} already at ${levels[0]!.load} building instances, over the budget of ${show(budgetBytesPerSecond)}`);
  }
  if (memoryLimit !== null && promisePerInstance !== null && ram !== null) {
    why.push(`each instance promises ${formatBytes(promisePerInstance)} (tmpfs root + VM memory); ${formatBytes(ram + (swap ?? 0))} of RAM + swap holds ${memoryLimit}`);
  }
  if (capacity !== null && why.length > 1) why.unshift(`limited by ${limitedBy}: ${capacity} instances`);
  const extrapolatedInstances = capacity !== null && maxObservedLoad !== null && limitedBy !== 'memory promise' ? Math.max(0, (budgetCrossingLoad ?? capacity) - maxObservedLoad) : 0;
  const confidence: WorkerConfidence = {
    points: pairs.length,
    levels: levels.length,
    extrapolatedInstances,
    // Good: several levels and an answer inside the load seen; poor: few levels or far beyond it.
    rating: levels.length >= 4 && extrapolatedInstances === 0 ? 'good' : levels.length >= 3 && extrapolatedInstances <= 2 ? 'fair' : 'poor',
  };

  return {
    host: input.host,
    configuredInstances: instances,
    ramBytes: ram,
    swapBytes: swap,
    promisePerInstanceBytes: promisePerInstance,
    peakTmpfsPerInstanceBytes: peakTmpfs,
    points: thin(pairs.map(([, l, c]) => [l, c] as const), CHART_POINTS),
    levels,
    fit,
    maxObservedLoad,
    budgetCrossingLoad,
    churnLimit,
    memoryLimit,
    capacity,
    limitedBy,
    change,
    pastBudget,
    shareOverBudget: pairs.length ? overBudget / pairs.length : 0,
    why,
    confidence,
    notes,
  };
}

export interface WorkerEstate {
  readonly hosts: readonly WorkerFinding[];
  readonly canAdd: number;
  readonly mustRemove: number;
  readonly net: number;
  readonly pastBudget: readonly string[];
}

export function summariseWorkers(hosts: readonly WorkerFinding[]): WorkerEstate {
  const changes = hosts.map((h) => h.change).filter((c): c is number => c !== null);
  const canAdd = changes.filter((c) => c > 0).reduce((a, b) => a + b, 0);
  const mustRemove = -changes.filter((c) => c < 0).reduce((a, b) => a + b, 0);
  return { hosts, canAdd, mustRemove, net: canAdd - mustRemove, pastBudget: hosts.filter((h) => h.pastBudget).map((h) => h.host) };
}
