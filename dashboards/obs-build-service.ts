// OBS build service, for on-call: queues, workers, back-end daemons and build times of each
// OBS instance. Grafana repeats the instance row for every value of $obs, so each instance
// gets its own panels.
import * as units from '@grafana/grafana-foundation-sdk/units';
import { defaultAlertsConfig, type AlertsConfig, seconds } from '../alerts/config.js';
import { RECORDED_OBS_JOBS_WAITING, RECORDED_OBS_WORKERS_BY_STATE } from '../alerts/recording.js';
import {
  obsBuildAverage,
  obsBuildStart,
  obsDaemonStart,
  obsDaemonState,
  obsHostJobDuration,
  obsJobDuration,
  obsJobsFinished,
  obsPackagesStarved,
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
} from '../exporters/obs/metrics.js';
import { dashboard, instanceVariable, neutral, obsVariable, okFailed, PanelFactory, rising } from './panels.js';
import { sourceLastSuccess, sourceUp } from '../src/runtime.js';
import { recorded, scopedQueries, type Matchers } from './promql.js';

export const OBS_UID = 'headroom-obs-build-service';

/** Inside the repeated row $obs is one instance; outside it may be several. */
const one: Matchers = { instance: '=~"$instance"', obs: '=~"$obs"' };
/** The runtime's health series of the same instances: the instance name is the source label. */
const oneSource: Matchers = { instance: '=~"$instance"', collector: '="obs"', source: '=~"$obs"' };

export function obsBuildServiceDashboard(alerts: AlertsConfig = defaultAlertsConfig) {
  // The thresholds the user's alert rules fire at: the panels' colours and dashed lines follow them.
  const t = alerts.thresholds;
  // The user's label selectors, as the alert rules apply them: a panel shows what its alert sees.
  const { sel, histogramSel } = scopedQueries(alerts.selectors);
  const p = new PanelFactory();
  const d = dashboard({
    uid: OBS_UID,
    title: 'headroom / OBS build service',
    description: 'Queues, workers, back-end daemons, build times and repository results of each OBS instance.',
    from: 'now-24h',
  })
    .withVariable(instanceVariable(obsWorkers, 'Exporter'))
    .withVariable(obsVariable(obsWorkers));

  d.withRow(p.row('OBS $obs', 'obs'));
  d.withPanel(
    p.stat({
      title: 'API poll',
      description: 'Whether the last poll of this OBS instance\'s API worked (OBSApiDown fires when it keeps failing).',
      unit: units.NoUnit,
      queries: [{ expr: sel(sourceUp, oneSource), instant: true }],
      mappings: okFailed('up', 'down'),
      steps: [['red', null], ['green', 1]],
      w: 3,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Data age',
      description: 'Seconds since the last successful poll: the figures below are this old.',
      unit: units.Seconds,
      queries: [{ expr: `time() - ${sel(sourceLastSuccess, oneSource)}`, instant: true }],
      steps: rising(120, 600),
      w: 3,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Jobs waiting',
      description: 'Build jobs waiting for a worker, all architectures (recorded); orange at the OBSQueueBacklog threshold.',
      unit: units.Short,
      queries: [{ expr: `sum(${recorded(RECORDED_OBS_JOBS_WAITING, one)})`, instant: true }],
      steps: rising(t.obsQueueBacklogJobs, 10 * t.obsQueueBacklogJobs),
      sparkline: true,
      w: 3,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Jobs building',
      description: 'Build jobs running on a worker now, all architectures.',
      unit: units.Short,
      queries: [{ expr: `sum(${sel(obsJobsBuilding, one)})`, instant: true }],
      sparkline: true,
      w: 3,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Workers by state',
      description: 'Workers of all host architectures in each state (recorded); a worker counts once.',
      unit: units.Short,
      queries: [{ expr: `sum by (state) (${recorded(RECORDED_OBS_WORKERS_BY_STATE, one)})`, legend: '{{state}}', instant: true }],
      steps: neutral,
      w: 6,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Oldest running build',
      description: 'How long the longest-running build job has been running; red at the OBSBuildStuck age.',
      unit: units.Seconds,
      queries: [{ expr: `time() - min(${sel(obsOldestBuildStart, one)})`, instant: true }],
      steps: rising(seconds(t.obsBuildStuckAge) / 2, seconds(t.obsBuildStuckAge)),
      noValue: 'nothing building',
      w: 3,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Daemons not running',
      description: 'OBS back-end daemons (schedulers, dispatcher, publisher...) whose state is not "running".',
      unit: units.Short,
      queries: [{ expr: `count(${sel(obsDaemonState, { ...one, state: '!="running"' })} == 1) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 3,
      h: 4,
    }),
  );

  d.withPanel(
    p.timeseries({
      title: 'Jobs waiting per architecture',
      description: 'Build jobs per scheduler architecture waiting for a worker: a growing line means too few workers for that architecture.',
      unit: units.Short,
      queries: [{ expr: sel(obsJobsWaiting, one), legend: '{{arch}}' }],
      stacked: true,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Jobs blocked per architecture',
      description: 'OBS\'s "blocked" count: packages not yet done (blocked on dependencies plus scheduled) per scheduler architecture.',
      unit: units.Short,
      queries: [{ expr: sel(obsJobsBlocked, one), legend: '{{arch}}' }],
      stacked: true,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Workers by state',
      description: 'Workers of all host architectures by state; "down" includes the short gap after every job.',
      unit: units.Short,
      queries: [{ expr: `sum by (state) (${sel(obsWorkers, one)})`, legend: '{{state}}' }],
      stacked: true,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Workers per host architecture and state',
      description: 'Workers by host architecture and state, to see which architecture runs short.',
      unit: units.Short,
      queries: [{ expr: sel(obsWorkers, one), legend: '{{hostarch}} {{state}}' }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Worker hosts',
      description: 'Worker instances of each worker host by state: a host with every instance dead or down is a host to look at.',
      unit: units.Short,
      queries: [{ expr: `sum by (host, state) (${sel(obsWorkerHostInstances, one)})`, instant: true, table: true }],
      transformations: [
        // One row per host, one column per state.
        { id: 'groupingToMatrix', options: { columnField: 'state', rowField: 'host', valueField: 'Value', emptyValue: 'zero' } },
      ],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Scheduler queues',
      description: 'Project/repository pairs queued for each architecture\'s scheduler, per queue; a queue that never drains means a scheduler behind.',
      unit: units.Short,
      queries: [{ expr: `sum by (arch, queue) (${sel(obsSchedulerQueue, one)})`, legend: '{{arch}} {{queue}}' }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Daemon states',
      description: 'Current state of every back-end daemon (arch only on schedulers); anything but running is worth a look.',
      unit: units.NoUnit,
      queries: [{ expr: `${sel(obsDaemonState, one)} == 1`, instant: true, table: true }],
      transformations: [
        { id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true, job: true, instance: true, obs: true } } },
      ],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Age of the oldest running build',
      description: 'How long the oldest running build job of each architecture has run; a line that only climbs is a stuck build.',
      unit: units.Seconds,
      queries: [{ expr: `time() - ${sel(obsOldestBuildStart, one)}`, legend: '{{arch}}' }],
      steps: rising(seconds(t.obsBuildStuckAge) / 2, seconds(t.obsBuildStuckAge)),
      thresholdLines: true,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Average build time',
      description: 'The scheduler\'s moving average of a build job\'s duration per architecture.',
      unit: units.Seconds,
      queries: [{ expr: sel(obsBuildAverage, one), legend: '{{arch}}' }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Repository results',
      description: 'Packages per status code for each repository and architecture of the configured projects (OBS omits codes with no package).',
      unit: units.Short,
      // One series per code; labelsToFields turns each code into a column, merge joins the rows.
      queries: [{ expr: `sum by (project, repository, arch, code) (${sel(obsPackages, one)})`, legend: '{{code}}', instant: true }],
      transformations: [
        { id: 'labelsToFields', options: { mode: 'columns', valueLabel: 'code' } },
        { id: 'merge', options: {} },
        { id: 'organize', options: { excludeByName: { Time: true } } },
      ],
      w: 16,
      h: 8,
    }),
  );
  d.withPanel(
    p.table({
      title: 'Repository states',
      description: 'Scheduler (or publisher) state of each configured repository and architecture, and whether OBS marked it dirty.',
      unit: units.NoUnit,
      queries: [
        { expr: `${sel(obsRepositoryState, one)} == 1`, instant: true, table: true },
        { expr: `${sel(obsRepositoryDirty, one)} == 1`, instant: true, table: true },
      ],
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, job: true, instance: true, obs: true, 'Value #A': true },
            renameByName: { 'Value #B': 'dirty' },
          },
        },
      ],
      w: 8,
      h: 8,
    }),
  );
  // Issue 17: what the job history, the building rows and the scheduler's details say.
  const finishedPerHour = (by: string) => `sum by (${by}) (increase(${sel(obsJobsFinished, one)}[1h]))`;
  d.withPanel(
    p.table({
      title: 'Worker outcomes, last hour',
      description: 'Jobs each worker finished in the last hour per result code (watched repositories): a worker with many failures while its peers succeed is broken (OBSWorkerBroken).',
      unit: units.Short,
      queries: [{ expr: `${finishedPerHour('worker, host, arch, code')} > 0`, instant: true, table: true }],
      transformations: [{ id: 'groupingToMatrix', options: { columnField: 'code', rowField: 'worker', valueField: 'Value', emptyValue: 'zero' } }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Build time per architecture (median and 90th percentile)',
      description: 'From the build-duration buckets of the watched repositories over the last hour.',
      unit: units.Seconds,
      queries: [
        { expr: `histogram_quantile(0.5, sum by (arch, le) (rate(${histogramSel(obsJobDuration, 'bucket', one)}[1h])))`, legend: '{{arch}} p50' },
        { expr: `histogram_quantile(0.9, sum by (arch, le) (rate(${histogramSel(obsJobDuration, 'bucket', one)}[1h])))`, legend: '{{arch}} p90' },
      ],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.heatmap({
      title: 'Build durations',
      description: 'Jobs finished per duration bucket (all build arches of the watched repositories): a new band of short jobs is a worker failing fast (OBSWorkerSuspiciouslyFast).',
      unit: units.Seconds,
      queries: [{ expr: `sum by (le) (increase(${histogramSel(obsJobDuration, 'bucket', one)}[$__rate_interval]))`, legend: '{{le}}', heatmap: true }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Jobs finished per hour, per worker host',
      description: 'Throughput of each worker host (watched repositories); beside its median build time, the honest measure of whether more instances per host pay off.',
      unit: units.Short,
      queries: [{ expr: finishedPerHour('host'), legend: '{{host}}' }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Median build time per worker host',
      description: 'Median build time of the jobs each worker host finished over the last hour.',
      unit: units.Seconds,
      queries: [{ expr: `histogram_quantile(0.5, sum by (host, le) (rate(${histogramSel(obsHostJobDuration, 'bucket', one)}[1h])))`, legend: '{{host}}' }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.table({
      title: 'In-flight builds',
      description: 'What each building worker builds and for how long (OBSBuildStuck names the job). Empty unless the instance sets per_worker_builds: true (one series per building worker).',
      unit: units.Seconds,
      queries: [{ expr: `time() - ${sel(obsBuildStart, one)}`, instant: true, table: true }],
      transformations: [{ id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true, instance: true, obs: true } } }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Daemon restarts per hour',
      description: 'Start-time changes of each back-end daemon over the last hour; OBSDaemonFlapping fires at three for a scheduler, dispatcher or publisher.',
      unit: units.Short,
      queries: [{ expr: `changes(${sel(obsDaemonStart, one)}[1h]) > 0`, legend: '{{type}} {{arch}}' }],
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Starved packages',
      description: 'Scheduled packages of the watched projects that no worker can take, per architecture and reason (OBSPackagesStarved).',
      unit: units.Short,
      queries: [{ expr: sel(obsPackagesStarved, one), legend: '{{arch}} {{reason}}' }],
      stacked: true,
      w: 8,
      h: 8,
    }),
  );
  return d;
}
