// Turns parsed OBS documents into samples of the catalog: pure, so what an instance exports
// can be checked without a server.
import { enumSamples, sample, type Sample } from '../../src/metrics.js';
import {
  DAEMON_STATES,
  obsBuildAverage,
  obsDaemonState,
  obsJobsBlocked,
  obsJobsBuilding,
  obsJobsWaiting,
  obsOldestBuildStart,
  obsPackages,
  obsRepositoryDirty,
  obsRepositoryState,
  obsSchedulerQueue,
  obsWorkerHostInstances,
  obsWorkers,
  QUEUES,
  REPOSITORY_STATES,
} from './metrics.js';
import type { RepositoryResult } from './resultlist.js';
import { WORKER_STATES, type WorkerStatusSummary } from './workerstatus.js';

export function workerStatusSamples(obs: string, s: WorkerStatusSummary): Sample[] {
  const out: Sample[] = [];
  for (const [arch, jobs] of s.waiting) out.push(sample(obsJobsWaiting, { obs, arch }, jobs));
  for (const [arch, jobs] of s.blocked) out.push(sample(obsJobsBlocked, { obs, arch }, jobs));
  for (const [arch, jobs] of s.building) out.push(sample(obsJobsBuilding, { obs, arch }, jobs));
  for (const [arch, seconds] of s.buildAverageSeconds) out.push(sample(obsBuildAverage, { obs, arch }, seconds));
  for (const [arch, start] of s.oldestBuildStart) out.push(sample(obsOldestBuildStart, { obs, arch }, start));
  for (const [hostarch, counts] of s.workers) {
    for (const state of WORKER_STATES) out.push(sample(obsWorkers, { obs, hostarch, state }, counts[state]));
  }
  for (const [host, counts] of s.hosts) {
    for (const [state, n] of counts) out.push(sample(obsWorkerHostInstances, { obs, host, state }, n));
  }
  for (const d of s.daemons) {
    out.push(...enumSamples(obsDaemonState, { obs, partition: d.partition, type: d.type, arch: d.arch }, 'state', DAEMON_STATES, d.state));
    if (d.queue) {
      for (const queue of QUEUES) {
        out.push(sample(obsSchedulerQueue, { obs, partition: d.partition, arch: d.arch, queue }, d.queue[queue]));
      }
    }
  }
  return out;
}

export function repositorySamples(obs: string, results: readonly RepositoryResult[]): Sample[] {
  const out: Sample[] = [];
  for (const r of results) {
    const labels = { obs, project: r.project, repository: r.repository, arch: r.arch };
    out.push(...enumSamples(obsRepositoryState, labels, 'state', REPOSITORY_STATES, r.state));
    out.push(sample(obsRepositoryDirty, labels, r.dirty ? 1 : 0));
    for (const [code, n] of r.packages) out.push(sample(obsPackages, { ...labels, code }, n));
  }
  return out;
}
