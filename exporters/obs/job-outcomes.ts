// What finished since the last poll, from successive job histories of the watched repositories,
// kept as ever-growing counts (Prometheus counters).
//
// Never counted twice: the first history read for a repository only sets its high-water mark
// (the latest end time in it) and counts nothing, so neither a fresh start nor a restart of
// headroom counts old history as new. Later polls count a job if it ended after the mark, or
// at the mark itself without being one of the jobs already seen there (several jobs can end in
// the same second). Jobs that end while headroom is down are not counted at all: the counters
// start again from 0 with the process, which Prometheus' rate() and increase() treat as a reset.
import type { FinishedJob } from './jobhistory.js';
import { DURATION_BUCKETS } from './metrics.js';
import { workerHost } from './workerstatus.js';

export interface OutcomeCount {
  readonly worker: string;
  readonly host: string;
  readonly arch: string;
  readonly code: string;
  count: number;
}

export interface DurationCounts {
  /** Jobs whose duration is at most DURATION_BUCKETS[i] (cumulative). */
  readonly buckets: number[];
  count: number;
  sumSeconds: number;
}

export interface WorkerDurations {
  readonly worker: string;
  readonly host: string;
  readonly arch: string;
  count: number;
  sumSeconds: number;
}

interface Mark {
  endTime: number;
  /** Identities of the jobs that ended exactly at endTime. */
  atEnd: Set<string>;
}

function jobKey(job: FinishedJob): string {
  return `${job.package}\u0000${job.rev}\u0000${job.bcnt}\u0000${job.workerId}\u0000${job.startTime}`;
}

export class JobOutcomes {
  private readonly marks = new Map<string, Mark>();
  readonly outcomes = new Map<string, OutcomeCount>();
  /** Per build arch. */
  readonly durationsByArch = new Map<string, DurationCounts>();
  /** Per worker host. */
  readonly durationsByHost = new Map<string, DurationCounts>();
  /** Per worker and build arch: sum and count only. */
  readonly durationsByWorker = new Map<string, WorkerDurations>();

  /**
   * Takes the latest history of one repository (`repository` = project/repository/arch) and
   * counts the jobs it has not seen; returns how many were new.
   */
  observe(repository: string, arch: string, history: readonly FinishedJob[]): number {
    const mark = this.marks.get(repository);
    let latest = mark?.endTime ?? 0;
    for (const job of history) latest = Math.max(latest, job.endTime);
    const atLatest = new Set<string>(mark && mark.endTime === latest ? mark.atEnd : []);
    let counted = 0;
    for (const job of history) {
      const key = jobKey(job);
      const isNew = mark !== undefined && (job.endTime > mark.endTime || (job.endTime === mark.endTime && !mark.atEnd.has(key)));
      if (job.endTime === latest) atLatest.add(key);
      if (!isNew) continue;
      this.count(arch, job);
      counted++;
    }
    this.marks.set(repository, { endTime: latest, atEnd: atLatest });
    return counted;
  }

  /** Forgets repositories no longer watched, so their marks do not pile up. */
  retain(repositories: ReadonlySet<string>): void {
    for (const key of this.marks.keys()) if (!repositories.has(key)) this.marks.delete(key);
  }

  private count(arch: string, job: FinishedJob): void {
    const host = job.workerId ? workerHost(job.workerId) : '';
    const key = `${job.workerId}\u0000${arch}\u0000${job.code}`;
    const outcome = this.outcomes.get(key);
    if (outcome) outcome.count++;
    else this.outcomes.set(key, { worker: job.workerId, host, arch, code: job.code, count: 1 });
    // A job without a start time (0) has no duration worth recording.
    if (job.startTime <= 0 || job.endTime < job.startTime) return;
    const seconds = job.endTime - job.startTime;
    addDuration(this.durationsByArch, arch, seconds);
    if (host) addDuration(this.durationsByHost, host, seconds);
    const workerKey = `${job.workerId}\u0000${arch}`;
    let perWorker = this.durationsByWorker.get(workerKey);
    if (!perWorker) this.durationsByWorker.set(workerKey, (perWorker = { worker: job.workerId, host, arch, count: 0, sumSeconds: 0 }));
    perWorker.count++;
    perWorker.sumSeconds += seconds;
  }
}

function addDuration(map: Map<string, DurationCounts>, key: string, seconds: number): void {
  let d = map.get(key);
  if (!d) map.set(key, (d = { buckets: new Array<number>(DURATION_BUCKETS.length).fill(0), count: 0, sumSeconds: 0 }));
  for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]!) d.buckets[i]!++;
  d.count++;
  d.sumSeconds += seconds;
}
