// The OBS collector's catalog. Alerts, dashboards and the planner import these definitions, so
// renaming one breaks their build rather than a panel. An instance's health (up, last success)
// is the runtime's headroom_collector_source_* series with source=<instance name>.
import { counter, gauge, histogram, type MetricDef } from '../../src/metrics.js';

const BG = 'Refreshed in the background on the instance\'s schedule; a scrape serves the last snapshot.';

export const obsJobsWaiting = gauge(
  'headroom_obs_jobs_waiting',
  `Build jobs of this scheduler architecture waiting for a worker (scheduled, not yet dispatched). ${BG}`,
  ['obs', 'arch'],
);
export const obsJobsBlocked = gauge(
  'headroom_obs_jobs_blocked',
  `OBS's "blocked" count for this architecture: packages not yet done, i.e. blocked plus scheduled (queued, dispatching, building), summed over repositories. ${BG}`,
  ['obs', 'arch'],
);
export const obsJobsBuilding = gauge(
  'headroom_obs_jobs_building',
  `Build jobs of this scheduler architecture running on a worker now (0 when none). ${BG}`,
  ['obs', 'arch'],
);
export const obsWorkers = gauge(
  'headroom_obs_workers',
  `Workers of this host architecture by state (building, idle, dead, down, away); a worker id listed twice counts once, in the first of building, idle, dead, down, away. "down" includes the brief gap after every job. ${BG}`,
  ['obs', 'hostarch', 'state'],
);
export const obsBuildAverage = gauge(
  'headroom_obs_build_average_duration_seconds',
  `The scheduler's moving average of a build job's duration for this architecture, in seconds. ${BG}`,
  ['obs', 'arch'],
);
export const obsOldestBuildStart = gauge(
  'headroom_obs_oldest_build_start_timestamp_seconds',
  `Unix time at which the oldest build job of this architecture still running was dispatched; absent when nothing builds. ${BG}`,
  ['obs', 'arch'],
);
export const obsSchedulerQueue = gauge(
  'headroom_obs_scheduler_queue',
  `Project/repository pairs queued for the scheduler of this architecture to check, per queue (high, med, low, next). ${BG}`,
  ['obs', 'partition', 'arch', 'queue'],
);
export const obsDaemonState = gauge(
  'headroom_obs_daemon_state',
  `State of an OBS back-end daemon: 1 for its current state, 0 for the others (running, booting, dead, plus any other state reported). arch is set on schedulers only. ${BG}`,
  ['obs', 'partition', 'type', 'arch', 'state'],
);
export const obsWorkerHostInstances = gauge(
  'headroom_obs_worker_host_instances',
  `Worker instances of one worker host (worker id up to its last ":" or "/") by state; only states the host has appear. ${BG}`,
  ['obs', 'host', 'state'],
);
export const obsPackages = gauge(
  'headroom_obs_packages',
  `Packages of a configured project's repository and architecture by status code, as OBS reports them (codes with no package are omitted). ${BG}`,
  ['obs', 'project', 'repository', 'arch', 'code'],
);
export const obsRepositoryState = gauge(
  'headroom_obs_repository_state',
  `Scheduler state of a configured project's repository and architecture (publisher state once finished): 1 for the current state, 0 for the others. ${BG}`,
  ['obs', 'project', 'repository', 'arch', 'state'],
);
export const obsRepositoryDirty = gauge(
  'headroom_obs_repository_dirty',
  `1 when OBS marked the repository for re-scheduling (its state may be outdated), else 0. ${BG}`,
  ['obs', 'project', 'repository', 'arch'],
);

export const obsBuildStart = gauge(
  'headroom_obs_build_start_timestamp_seconds',
  `Unix time at which the job now running on this worker was dispatched, with what it builds; absent when OBS does not know (starttime 0). One series per building worker, only from instances that set per_worker_builds. ${BG}`,
  ['obs', 'worker', 'host', 'project', 'repository', 'package', 'arch'],
);
export const obsDaemonStart = gauge(
  'headroom_obs_daemon_start_timestamp_seconds',
  `Unix time at which this back-end daemon started; absent while it is not running. A change means a restart. ${BG}`,
  ['obs', 'partition', 'type', 'arch'],
);
export const obsJobsFinished = counter(
  'headroom_obs_jobs_finished_total',
  'Build jobs of the watched repositories that finished on this worker with this result code (succeeded, failed, unchanged...), counted from the job history since headroom started.',
  ['obs', 'worker', 'host', 'arch', 'code'],
);
/** Upper bounds of the build-duration buckets, in seconds: a minute to a day. */
export const DURATION_BUCKETS = [60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 28_800, 86_400] as const;

export const obsJobDuration = histogram(
  'headroom_obs_job_duration_seconds',
  'Build time (end - start) of the finished jobs of the watched repositories of this build arch, counted from the job history since headroom started.',
  ['obs', 'arch'],
  DURATION_BUCKETS,
);
export const obsHostJobDuration = histogram(
  'headroom_obs_worker_host_job_duration_seconds',
  'Build time of the finished jobs of the watched repositories built on this worker host.',
  ['obs', 'host'],
  DURATION_BUCKETS,
);
export const obsWorkerJobDuration = histogram(
  'headroom_obs_worker_job_duration_seconds',
  'Build time of the finished jobs of the watched repositories per worker and build arch: sum and count only (no buckets), for comparing a worker\'s mean with its peers\'.',
  ['obs', 'worker', 'host', 'arch'],
  [],
);
export const obsPackagesStarved = gauge(
  'headroom_obs_packages_starved',
  `Scheduled packages of the watched projects that no worker can take, per build arch and reason: no_compliant_workers (no worker meets the constraints), compliant_workers_down (all that do are down), compliant_workers_busy. ${BG}`,
  ['obs', 'arch', 'reason'],
);

export const DAEMON_STATES = ['running', 'booting', 'dead'] as const;
export const REPOSITORY_STATES = [
  'unknown', 'broken', 'scheduling', 'blocked', 'building', 'finished',
  'publishing', 'published', 'unpublished', 'publishfailed', 'disabled',
] as const;
export const QUEUES = ['high', 'med', 'low', 'next'] as const;

export const obsMetrics: readonly MetricDef[] = [
  obsJobsWaiting,
  obsJobsBlocked,
  obsJobsBuilding,
  obsWorkers,
  obsBuildAverage,
  obsOldestBuildStart,
  obsSchedulerQueue,
  obsDaemonState,
  obsWorkerHostInstances,
  obsPackages,
  obsRepositoryState,
  obsRepositoryDirty,
  obsBuildStart,
  obsDaemonStart,
  obsJobsFinished,
  obsJobDuration,
  obsHostJobDuration,
  obsWorkerJobDuration,
  obsPackagesStarved,
];
