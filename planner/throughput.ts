// Throughput per worker host: does one more building instance still finish more jobs? Pure:
// series in, findings out. The honest answer to "is the tmpfs overcommit paying off" is jobs
// finished per hour against building instances, read beside the swap-churn (or stall) knee.
//
// The model, as the report states it: each step's building instances (OBS' count, averaged over
// the rate range) is rounded to a whole count; per count the median jobs per hour and the median
// of the median build times are taken (medians, so the steps in which the count changed do not
// pull a count; as for swap churn; a build time only when more than half of the count's steps
// finished a job). Counts with fewer than MIN_LEVEL_SAMPLES points are left out.
// Throughput stops rising at the smallest count c ≥ 1 such that no higher count seen finishes
// more than jobs/h(c) + RISE_SHARE × (jobs/h(c) / c) per added instance: from c on, an added
// instance adds at most a tenth of what one instance delivers on average at c. A count with no
// higher count seen after it is no answer: the data end while throughput still rises.
import type { BudgetKind } from './budget.js';
import { median } from './regression.js';
import { joinPoints, type Series } from './series.js';
import { MIN_LEVEL_SAMPLES, type WorkerConfidence } from './workers.js';

/** An added instance that adds at most this share of one instance's average jobs/h is no rise. */
export const RISE_SHARE = 0.1;

export interface ThroughputLevel {
  /** Building instances (whole). */
  readonly instances: number;
  readonly jobsPerHour: number;
  /**
   * Median of the steps' median build times, seconds; null when jobs finished in at most half
   * of the count's steps (its median step finished none, as at 0 instances: the few steps that
   * did are the ones whose range reached into the next count).
   */
  readonly medianBuildSeconds: number | null;
  /** Steps at this count (with a jobs/h value). */
  readonly points: number;
}

export interface ThroughputInput {
  /** The OBS worker host name (the `host` label). */
  readonly host: string;
  /** The worker host's Prometheus instance its swap-churn finding is under, when one matches. */
  readonly instance: string | null;
  /** Building instances over time (OBS' count, averaged over the rate range). */
  readonly building: Series | undefined;
  /** Jobs finished per hour over time. */
  readonly jobsPerHour: Series | undefined;
  /** Median build time over time, seconds (histogram_quantile; absent where nothing finished). */
  readonly medianBuildSeconds: Series | undefined;
  /** What the worker budget is on, and where it starts to rise and the capacity it allows, from the worker finding. */
  readonly budgetKind: BudgetKind;
  readonly churnKnee: number | null;
  readonly churnLimit: number | null;
}

export interface ThroughputFinding {
  readonly host: string;
  readonly instance: string | null;
  readonly levels: readonly ThroughputLevel[];
  /** The count at which jobs/h stops rising; null when it still rises at the highest count seen. */
  readonly saturation: number | null;
  readonly maxObserved: number | null;
  readonly churnKnee: number | null;
  readonly churnLimit: number | null;
  readonly why: readonly string[];
  readonly confidence: ThroughputConfidence;
  readonly notes: readonly string[];
}

/** As a worker host's: points and counts seen, and how many counts show the flat part. */
export interface ThroughputConfidence extends Pick<WorkerConfidence, 'points' | 'levels' | 'rating'> {
  /** Counts seen above the saturation count (the evidence that it stays flat). */
  readonly levelsAbove: number;
}

/**
 * The smallest count c ≥ 1 from which jobs/h never rises by more than RISE_SHARE of one
 * instance's average throughput at c per added instance, or null (levels sorted by count).
 */
export function saturationCount(levels: readonly ThroughputLevel[]): number | null {
  for (let i = 0; i < levels.length - 1; i++) {
    const at = levels[i]!;
    if (at.instances < 1 || !(at.jobsPerHour > 0)) continue;
    const allowedPerInstance = (RISE_SHARE * at.jobsPerHour) / at.instances;
    // A millionth of a job per hour of slack: a rise exactly at the allowance is no rise.
    const rises = levels.slice(i + 1).some((l) => l.jobsPerHour > at.jobsPerHour + allowedPerInstance * (l.instances - at.instances) + 1e-6);
    if (!rises) return at.instances;
  }
  return null;
}

const perHour = (v: number) => `${Number(v.toPrecision(3))} jobs/h`;

export function formatBuildSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  return s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${Math.round(s)} s`;
}

export function analyseThroughput(input: ThroughputInput): ThroughputFinding {
  const notes: string[] = [];
  if (!input.building) notes.push('no building instances (headroom_obs_worker_host_instances{state="building"}) for this host');
  if (!input.jobsPerHour) notes.push('no finished jobs (headroom_obs_jobs_finished_total) for this host');
  const pairs = input.building && input.jobsPerHour ? joinPoints(input.building, input.jobsPerHour) : [];
  const durationAt = new Map((input.medianBuildSeconds?.points ?? []).map(([t, v]) => [t, v]));
  const byCount = new Map<number, { jobs: number[]; durations: number[] }>();
  for (const [t, building, jobs] of pairs) {
    const count = Math.round(building);
    let entry = byCount.get(count);
    if (!entry) byCount.set(count, (entry = { jobs: [], durations: [] }));
    entry.jobs.push(jobs);
    const d = durationAt.get(t);
    if (d !== undefined) entry.durations.push(d);
  }
  const levels: ThroughputLevel[] = [...byCount.entries()]
    .filter(([, e]) => e.jobs.length >= MIN_LEVEL_SAMPLES)
    .map(([instances, e]) => ({ instances, jobsPerHour: median(e.jobs), medianBuildSeconds: 2 * e.durations.length > e.jobs.length ? median(e.durations) : null, points: e.jobs.length }))
    .sort((a, b) => a.instances - b.instances);
  const saturation = saturationCount(levels);
  const maxObserved = levels.length ? levels[levels.length - 1]!.instances : null;
  const at = (count: number | null) => levels.find((l) => l.instances === count);

  const why: string[] = [];
  const first = levels.find((l) => l.instances >= 1);
  if (saturation !== null) {
    const s = at(saturation)!;
    const best = Math.max(...levels.map((l) => l.jobsPerHour));
    why.push(
      `jobs/h ${first && first !== s ? `rises from ${perHour(first.jobsPerHour)} at ${first.instances} to ` : ''}${perHour(s.jobsPerHour)} at ${saturation} building instances, then at most ${perHour(best)} up to ${maxObserved}: throughput stops rising at ${saturation} (median build time ${formatBuildSeconds(s.medianBuildSeconds)} there, ${formatBuildSeconds(at(maxObserved)!.medianBuildSeconds)} at ${maxObserved})`,
    );
  } else if (levels.length >= 2 && maxObserved !== null) {
    why.push(`jobs/h still rises at the highest count seen (${perHour(at(maxObserved)!.jobsPerHour)} at ${maxObserved} building instances): more instances may still pay off; no saturation in the data`);
  } else if (pairs.length > 0) {
    notes.push('building instances stayed at one count in the window: no throughput trend');
  }
  if (input.churnKnee !== null) {
    const churn = `${input.budgetKind} starts rising above ${input.churnKnee} instances${input.churnLimit !== null ? ` and allows ${input.churnLimit}` : ''}`;
    if (saturation === null) why.push(churn);
    else if (saturation <= input.churnKnee) why.push(`${churn}: throughput stops rising first, so instances above ${saturation} cost memory and add no builds`);
    else why.push(`${churn}: throughput still rises past it up to ${saturation}, so the overcommit pays off up to ${saturation}`);
  } else if (input.instance !== null) {
    why.push(`${input.budgetKind} on ${input.instance} does not rise with building instances in the data: it has no knee`);
  } else {
    notes.push(`no worker host instance matches the OBS host ${input.host}: no ${input.budgetKind} knee beside it (see planner.obs_worker_hosts)`);
  }
  const levelsAbove = saturation === null ? 0 : levels.filter((l) => l.instances > saturation).length;
  const confidence: ThroughputConfidence = {
    points: pairs.length,
    levels: levels.length,
    levelsAbove,
    // Good: the flat part is seen at two or more counts; fair: at one.
    rating: levels.length >= 4 && levelsAbove >= 2 ? 'good' : levels.length >= 3 && levelsAbove >= 1 ? 'fair' : 'poor',
  };
  return { host: input.host, instance: input.instance, levels, saturation, maxObserved, churnKnee: input.churnKnee, churnLimit: input.churnLimit, why, confidence, notes };
}
