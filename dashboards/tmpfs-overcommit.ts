// "Is the tmpfs overcommit paying off?": build roots on tmpfs promise more memory than a
// worker has, betting that swap on SSD absorbs the rare peak. This dashboard sets the promise
// beside what it costs (swap churn, SSD writes caused by swap) and what it buys (build time),
// over the same period, per worker host.
import * as units from '@grafana/grafana-foundation-sdk/units';
import { defaultAlertsConfig, type AlertsConfig } from '../alerts/config.js';
import { RECORDED_SSD_WRITE_RATE, RECORDED_SWAP_IN_RATE, RECORDED_SWAP_OUT_RATE } from '../alerts/recording.js';
import { obsBuildAverage, obsWorkers } from '../exporters/obs/metrics.js';
import { pressureMetrics } from '../exporters/pressure/metrics.js';
import { swapMetrics } from '../exporters/swap/metrics.js';
import { workerMetrics } from '../exporters/worker/metrics.js';
import { dashboard, instanceVariable, obsVariable, PanelFactory, rising } from './panels.js';
import { byObs, recorded, scopedQueries } from './promql.js';

export const TMPFS_UID = 'headroom-tmpfs-overcommit';

const { overcommit, tmpfsUsed, tmpfsPromised, ram, swap } = workerMetrics;

export function tmpfsOvercommitDashboard(alerts: AlertsConfig = defaultAlertsConfig) {
  // The thresholds the user's alert rules fire at: the panels' colours and dashed lines follow them.
  const t = alerts.thresholds;
  // The user's label selectors, as the alert rules apply them: a panel shows what its alert sees.
  const { sel, rateOf } = scopedQueries(alerts.selectors);
  const p = new PanelFactory();
  const d = dashboard({
    uid: TMPFS_UID,
    title: 'headroom / Is the tmpfs overcommit paying off?',
    description: 'Memory promised to tmpfs build roots and build VMs beside swap churn, SSD writes caused by swap and build time, per worker host.',
    from: 'now-7d',
  })
    .withVariable(instanceVariable(overcommit, 'Worker host'))
    .withVariable(obsVariable(obsWorkers, false));

  d.withRow(p.row('Over the selected period'));
  d.withPanel(
    p.table({
      title: 'Promise against its cost, per worker host',
      description: 'Memory promise now, mean swap churn, bytes swapped out and bytes written to SSDs over the dashboard\'s time range.',
      unit: units.BytesIEC,
      queries: [
        { expr: `max by (instance) (${sel(overcommit)})`, instant: true, table: true },
        { expr: `sum by (instance) (avg_over_time(${recorded(RECORDED_SWAP_IN_RATE)}[$__range]) + avg_over_time(${recorded(RECORDED_SWAP_OUT_RATE)}[$__range]))`, instant: true, table: true },
        { expr: `sum by (instance) (increase(${sel(swapMetrics.swapOut)}[$__range]))`, instant: true, table: true },
        { expr: `sum by (instance) (increase(${sel(swapMetrics.ssdWritten)}[$__range]))`, instant: true, table: true },
      ],
      transformations: [
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            renameByName: {
              'Value #A': 'memory promise',
              'Value #B': 'mean swap churn',
              'Value #C': 'swapped out',
              'Value #D': 'written to SSDs',
            },
          },
        },
      ],
      w: 24,
      h: 7,
    })
      .overrideByName('memory promise', [{ id: 'unit', value: units.PercentUnit }])
      .overrideByName('mean swap churn', [{ id: 'unit', value: units.BytesPerSecondIEC }]),
  );
  d.withPanel(
    p.timeseries({
      title: 'Average build time',
      description: 'The schedulers\' moving average of a build job\'s duration per architecture: OBS reports it per architecture, not per worker host.',
      unit: units.Seconds,
      queries: [{ expr: sel(obsBuildAverage, byObs), legend: '{{obs}} {{arch}}' }],
      w: 24,
      h: 7,
    }),
  );

  d.withRow(p.row('$instance', 'instance'));
  d.withPanel(
    p.timeseries({
      title: 'Memory promise and tmpfs in use',
      description: '(tmpfs + VM memory promised) / (RAM + swap), and what the build-root tmpfs hold now over RAM + swap; the dashed line is the alert threshold.',
      unit: units.PercentUnit,
      queries: [
        { expr: sel(overcommit), legend: 'promised' },
        { expr: `${sel(tmpfsUsed)} / (${sel(ram)} + ${sel(swap)})`, legend: 'tmpfs in use' },
        { expr: `${sel(tmpfsPromised)} / (${sel(ram)} + ${sel(swap)})`, legend: 'tmpfs promised' },
      ],
      steps: rising(t.workerMemoryOvercommitRatio, t.workerMemoryOvercommitRatio),
      thresholdLines: true,
      min: 0,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Swap churn',
      description: 'Bytes per second swapped in and out (recorded rates); both high together is the thrashing the WorkerSwapChurnHigh alert catches.',
      unit: units.BytesPerSecondIEC,
      queries: [
        { expr: recorded(RECORDED_SWAP_IN_RATE), legend: 'in' },
        { expr: recorded(RECORDED_SWAP_OUT_RATE), legend: 'out' },
      ],
      steps: rising(t.swapChurnBytesPerSecond, t.swapChurnBytesPerSecond),
      thresholdLines: true,
      min: 0,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'SSD writes caused by swap',
      description: 'Bytes per second swapped out (what swap writes) beside all writes to the swap devices and to the SSDs (SMART, 1-day rate).',
      unit: units.BytesPerSecondIEC,
      queries: [
        { expr: recorded(RECORDED_SWAP_OUT_RATE), legend: 'swapped out' },
        { expr: rateOf(swapMetrics.deviceWritten), legend: 'written to {{device}}' },
        { expr: recorded(RECORDED_SSD_WRITE_RATE), legend: 'SSD {{device}} (SMART)' },
      ],
      min: 0,
      w: 8,
      h: 8,
    }),
  );

  // What the promise costs builds right now: time stalled on memory, with the faults and
  // swap-ins that cause it beside it.
  d.withRow(p.row('Cost of overcommit on $instance', 'instance'));
  d.withPanel(
    p.stat({
      title: 'Memory promise now',
      description: '(tmpfs + VM memory promised) / (RAM + swap): the promise whose cost the panels beside it show.',
      unit: units.PercentUnit,
      queries: [{ expr: sel(overcommit), instant: true }],
      steps: rising(t.workerMemoryOvercommitRatio, t.workerMemoryOvercommitRatio),
      w: 4,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Time stalled on memory',
      description: 'Share of the time every task (full) or at least one task (some) waited for memory: reclaim, swap-in, refaults (PSI); the dashed line is the WorkerMemoryStalled threshold.',
      unit: units.PercentUnit,
      queries: [
        { expr: rateOf(pressureMetrics.memoryStalled), legend: 'every task stalled' },
        { expr: rateOf(pressureMetrics.memoryWaiting), legend: 'some task stalled' },
      ],
      steps: rising(t.workerMemoryStalledRatio, t.workerMemoryStalledRatio),
      thresholdLines: true,
      min: 0,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Major page faults',
      description: 'Pages per second a task had to wait for from disk or swap (pgmajfault): what turns a memory promise into stalls.',
      unit: units.OpsPerSecond,
      queries: [{ expr: rateOf(pressureMetrics.majorFaults), legend: 'major faults' }],
      min: 0,
      w: 6,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Swap-in',
      description: 'Bytes per second read back from swap (recorded rate): builds waiting for pages the overcommit pushed out.',
      unit: units.BytesPerSecondIEC,
      queries: [{ expr: recorded(RECORDED_SWAP_IN_RATE), legend: 'swap-in' }],
      min: 0,
      w: 6,
      h: 8,
    }),
  );
  return d;
}
