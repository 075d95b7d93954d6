// The watched repositories of one OBS instance, polled for job outcomes and starved packages:
// projects matching the globs (GET /source lists them, only when a pattern has a glob), one
// _result?code=scheduled per project (its repositories and its starved packages), one
// _jobhistory?limit=N per matching repository.
import { histogramSample, sample, type Sample } from '../../src/metrics.js';
import { isGlob, nameMatcher } from '../../src/glob.js';
import type { ObsInstanceConfig } from './config.js';
import { JobHistoryParser } from './jobhistory.js';
import { JobOutcomes } from './job-outcomes.js';
import { obsHostJobDuration, obsJobDuration, obsJobsFinished, obsPackagesStarved, obsWorkerJobDuration } from './metrics.js';
import { ScheduledResultParser } from './starved.js';
import { DistinctLimit, XmlStream } from './xml-stream.js';

/** GETs a path, feeding the body to onText; errors name the URL. */
export type Get = (path: string, onText: (text: string) => void) => Promise<void>;

const MAX_PROJECTS = 100_000;

export class WatchedRepositories {
  readonly outcomes = new JobOutcomes();
  private readonly patterns: ReadonlyArray<{ project: ReturnType<typeof nameMatcher>; repository: ReturnType<typeof nameMatcher>; arch: ReturnType<typeof nameMatcher>; literal: string | null }>;

  constructor(private readonly config: Pick<ObsInstanceConfig, 'watch' | 'job_history_limit' | 'name'>) {
    // Project names hold ':' and no '/', so the path-style glob fits them.
    this.patterns = config.watch.map((w) => ({
      project: nameMatcher(w.project),
      repository: nameMatcher(w.repository),
      arch: nameMatcher(w.arch),
      literal: isGlob(w.project) ? null : w.project,
    }));
  }

  get enabled(): boolean {
    return this.patterns.length > 0;
  }

  /** Polls every watched repository; counts new jobs; returns the samples of all that is known. */
  async poll(get: Get): Promise<Sample[]> {
    const projects = await this.projects(get);
    const starved = new Map<string, number>();
    const watched = new Set<string>();
    for (const project of projects) {
      const parser = new ScheduledResultParser();
      await get(`/build/${encodeURIComponent(project)}/_result?code=scheduled`, (t) => parser.write(t));
      const result = parser.end();
      for (const [key, n] of result.starved) starved.set(key, (starved.get(key) ?? 0) + n);
      for (const r of result.repositories) {
        if (!this.patterns.some((p) => p.project.test(project) && p.repository.test(r.repository) && p.arch.test(r.arch))) continue;
        const key = `${r.project}/${r.repository}/${r.arch}`;
        if (watched.has(key)) continue;
        watched.add(key);
        const history = new JobHistoryParser();
        const path = `/build/${encodeURIComponent(r.project)}/${encodeURIComponent(r.repository)}/${encodeURIComponent(r.arch)}/_jobhistory?limit=${this.config.job_history_limit}`;
        await get(path, (t) => history.write(t));
        this.outcomes.observe(key, r.arch, history.end());
      }
    }
    this.outcomes.retain(watched);
    return [...this.outcomeSamples(), ...starvedSamples(this.config.name, starved)];
  }

  private async projects(get: Get): Promise<string[]> {
    const literal = this.patterns.filter((p) => p.literal !== null).map((p) => p.literal!);
    if (literal.length === this.patterns.length) return [...new Set(literal)];
    const names: string[] = [];
    const limit = new DistinctLimit('projects', MAX_PROJECTS);
    const xml = new XmlStream('directory', {
      open(name, attrs, path) {
        if (path.length === 1 && name === 'entry' && attrs.name) names.push(limit.admit(attrs.name));
      },
    });
    await get('/source', (t) => xml.write(t));
    xml.end();
    return names.filter((n) => this.patterns.some((p) => p.project.test(n)));
  }

  private outcomeSamples(): Sample[] {
    const obs = this.config.name;
    const out: Sample[] = [];
    for (const o of this.outcomes.outcomes.values()) out.push(sample(obsJobsFinished, { obs, worker: o.worker, host: o.host, arch: o.arch, code: o.code }, o.count));
    for (const [arch, d] of this.outcomes.durationsByArch) out.push(histogramSample(obsJobDuration, { obs, arch }, d.buckets, d.sumSeconds, d.count));
    for (const [host, d] of this.outcomes.durationsByHost) out.push(histogramSample(obsHostJobDuration, { obs, host }, d.buckets, d.sumSeconds, d.count));
    for (const w of this.outcomes.durationsByWorker.values()) {
      out.push(histogramSample(obsWorkerJobDuration, { obs, worker: w.worker, host: w.host, arch: w.arch }, [], w.sumSeconds, w.count));
    }
    return out;
  }
}

function starvedSamples(obs: string, starved: ReadonlyMap<string, number>): Sample[] {
  return [...starved].map(([key, n]) => {
    const [arch, reason] = key.split('\u0000') as [string, string];
    return sample(obsPackagesStarved, { obs, arch, reason }, n);
  });
}
