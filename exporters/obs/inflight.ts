// What is building where now, and when each daemon started: samples from the worker status.
import { sample, type Sample } from '../../src/metrics.js';
import { obsBuildStart, obsDaemonStart } from './metrics.js';
import type { WorkerStatusSummary } from './workerstatus.js';

export function inflightSamples(obs: string, s: WorkerStatusSummary): Sample[] {
  const out: Sample[] = [];
  for (const b of s.running) {
    if (b.startTime === null) continue; // unknown, not 1970
    out.push(sample(obsBuildStart, { obs, worker: b.workerId, host: b.host, project: b.project, repository: b.repository, package: b.package, arch: b.arch }, b.startTime));
  }
  for (const d of s.daemonStarts) out.push(sample(obsDaemonStart, { obs, partition: d.partition, type: d.type, arch: d.arch }, d.startTime));
  return out;
}
