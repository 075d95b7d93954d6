// Estate capacity review: every physical host's headroom at a glance (one repeated row per
// host), estate totals, and forecasts of when RAM, tmpfs and SSD endurance run out at the
// current trend. Colours switch where the alert rules fire, from the same thresholds.
import * as units from '@grafana/grafana-foundation-sdk/units';
import { defaultAlertsConfig, type AlertsConfig, seconds } from '../alerts/config.js';
import {
  RECORDED_BACKUP_AGE_OVER_MAX_AGE,
  RECORDED_SSD_WEAR_OUT_SECONDS,
  RECORDED_SWAP_IN_RATE,
  RECORDED_SWAP_OUT_RATE,
  RECORDED_SWAP_USED_RATIO,
} from '../alerts/recording.js';
import { buildInfo } from '../src/self-metrics.js';
import { swapMetrics } from '../exporters/swap/metrics.js';
import { workerMetrics } from '../exporters/worker/metrics.js';
import { hostCpus, hostMemory, memoryAllocated, memoryOvercommit, vcpuOvercommit, vcpusAllocated } from '../exporters/vmhost/metrics.js';
import { dashboard, falling, instanceVariable, PanelFactory, rising } from './panels.js';
import { DAY, recorded, scopedQueries } from './promql.js';

export const ESTATE_UID = 'headroom-estate-capacity';

const { ram, swap, tmpfsUsed, overcommit } = workerMetrics;

/** Swap churn as the alert sees it (bytes/s in and out), for the host selected. */
const swapChurn = `${recorded(RECORDED_SWAP_IN_RATE)} + ${recorded(RECORDED_SWAP_OUT_RATE)}`;
export function estateCapacityDashboard(alerts: AlertsConfig = defaultAlertsConfig) {
  // The thresholds the user's alert rules fire at: the panels' colours and dashed lines follow them.
  const t = alerts.thresholds;
  // The user's label selectors, as the alert rules apply them: a panel shows what its alert sees.
  const { sel } = scopedQueries(alerts.selectors);
  /** Daily peaks of the build-root tmpfs: builds come and go, the peak is what must fit. */
  const tmpfsDailyPeak = `max_over_time(${sel(tmpfsUsed)}[1d])`;
  const p = new PanelFactory();
  const d = dashboard({
    uid: ESTATE_UID,
    title: 'headroom / Estate capacity review',
    description: 'Headroom of every physical host (memory promise, swap churn, VM overcommit, backups, SSD wear) and when it runs out at the current trend.',
    from: 'now-7d',
  }).withVariable(instanceVariable(buildInfo));

  d.withRow(p.row('Estate totals'));
  d.withPanel(
    p.stat({
      title: 'Hosts reporting',
      description: 'headroom exporters selected that Prometheus scrapes now.',
      unit: units.Short,
      queries: [{ expr: `count(${sel(buildInfo)})`, instant: true }],
      w: 4,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Host CPUs vs vCPUs allocated',
      description: 'Logical CPUs of the VM hosts (left) and vCPUs allocated to VMs on them (right).',
      unit: units.Short,
      queries: [
        { expr: `sum(${sel(hostCpus)})`, legend: 'CPUs', instant: true },
        { expr: `sum(${sel(vcpusAllocated)})`, legend: 'vCPUs', instant: true },
      ],
      w: 5,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Host memory vs VM memory allocated',
      description: 'Memory of the VM hosts (left) and memory allocated to VMs on them (right).',
      unit: units.BytesIEC,
      queries: [
        { expr: `sum(${sel(hostMemory)})`, legend: 'host', instant: true },
        { expr: `sum(${sel(memoryAllocated)})`, legend: 'VMs', instant: true },
      ],
      w: 5,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Worker hosts over their memory promise',
      description: 'Worker hosts whose tmpfs + VM memory promise exceeds RAM + swap (the WorkerMemoryOvercommitted alert threshold).',
      unit: units.Short,
      queries: [{ expr: `count(${sel(overcommit)} > ${t.workerMemoryOvercommitRatio}) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 5,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Backups overdue',
      description: 'Backup targets whose newest backup is older than their max_age objective.',
      unit: units.Short,
      queries: [{ expr: `count(${recorded(RECORDED_BACKUP_AGE_OVER_MAX_AGE)} > 1) or vector(0)`, instant: true }],
      steps: rising(1, 1),
      w: 5,
      h: 4,
    }),
  );

  // One row per physical host: repeated by Grafana for every value of $instance.
  d.withRow(p.row('$instance', 'instance'));
  const glance = (o: { title: string; description: string; unit: string; expr: string; steps: ReturnType<typeof rising> }) =>
    p.stat({ ...o, queries: [{ expr: o.expr, instant: true }], w: 3, h: 4, noValue: 'n/a', sparkline: false });
  d.withPanel(
    glance({
      title: 'RAM',
      description: 'RAM of the host: usable by tmpfs and ordinary VMs on a worker (hugepages excluded), else the VM host memory.',
      unit: units.BytesIEC,
      expr: `${sel(ram)} or ${sel(hostMemory)}`,
      steps: [['text', null]],
    }),
  );
  d.withPanel(
    glance({
      title: 'Memory promise',
      description: '(tmpfs promised + VM memory promised) / (RAM + swap) on an OBS worker: above 100 % the promise cannot be kept.',
      unit: units.PercentUnit,
      expr: sel(overcommit),
      steps: rising(0.8 * t.workerMemoryOvercommitRatio, t.workerMemoryOvercommitRatio),
    }),
  );
  d.withPanel(
    glance({
      title: 'Swap churn',
      description: 'Bytes per second swapped in plus out (recorded rate); orange at the WorkerSwapChurnHigh threshold for in and out together.',
      unit: units.BytesPerSecondIEC,
      expr: swapChurn,
      steps: rising(t.swapChurnBytesPerSecond, 2 * t.swapChurnBytesPerSecond),
    }),
  );
  d.withPanel(
    glance({
      title: 'Swap used',
      description: 'Share of the host\'s swap space in use, all swap areas together.',
      unit: units.PercentUnit,
      expr: recorded(RECORDED_SWAP_USED_RATIO),
      steps: rising(t.swapFullWarningRatio, t.swapFullCriticalRatio),
    }),
  );
  d.withPanel(
    glance({
      title: 'vCPU overcommit',
      description: 'vCPUs allocated to VMs (libvirt and unmanaged qemu) per host CPU; red at the VMHostVCPUOvercommitHigh threshold.',
      unit: units.PercentUnit,
      expr: sel(vcpuOvercommit),
      steps: rising(t.vmhostVcpuOvercommitRatio / 2, t.vmhostVcpuOvercommitRatio),
    }),
  );
  d.withPanel(
    glance({
      title: 'VM memory overcommit',
      description: 'Memory allocated to VMs over host memory; above 100 % the VMs were promised more than the host has.',
      unit: units.PercentUnit,
      expr: sel(memoryOvercommit),
      steps: rising(0.9 * t.vmhostMemoryOvercommitRatio, t.vmhostMemoryOvercommitRatio),
    }),
  );
  d.withPanel(
    glance({
      title: 'Backup freshness',
      description: 'The stalest backup target of this host: its age as a share of its max_age objective (above 100 % = overdue).',
      unit: units.PercentUnit,
      expr: `max(${recorded(RECORDED_BACKUP_AGE_OVER_MAX_AGE)})`,
      steps: rising(0.75, 1),
    }),
  );
  d.withPanel(
    glance({
      title: 'SSD wear',
      description: 'Share of the rated endurance used by the most worn SSD of this host (SMART).',
      unit: units.PercentUnit,
      expr: `max(${sel(swapMetrics.ssdWearUsed)})`,
      steps: rising(t.ssdWearHighRatio / 2, t.ssdWearHighRatio),
    }),
  );

  const horizon = seconds(t.ssdWearOutHorizon);
  d.withRow(p.row('Forecasts at the current trend'));
  d.withPanel(
    p.bars({
      title: 'Time until VM memory allocation reaches host RAM',
      description: 'Host memory left for VMs over the growth of VM memory allocated in the last 7 days (hosts whose allocation grows).',
      unit: units.Seconds,
      queries: [
        {
          expr: `clamp_min(${sel(hostMemory)} - ${sel(memoryAllocated)}, 0) / (deriv(${sel(memoryAllocated)}[7d]) > 0)`,
          legend: '{{instance}}',
          instant: true,
        },
      ],
      steps: falling(30 * DAY, 90 * DAY),
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.bars({
      title: 'Time until build-root tmpfs peaks reach RAM + swap',
      description: 'RAM + swap left above the daily tmpfs usage peak, over the growth of that peak in the last 7 days (workers whose peak grows).',
      unit: units.Seconds,
      queries: [
        {
          expr: `clamp_min(${sel(ram)} + ${sel(swap)} - ${tmpfsDailyPeak}, 0) / (deriv(${tmpfsDailyPeak}[7d:1h]) > 0)`,
          legend: '{{instance}}',
          instant: true,
        },
      ],
      steps: falling(30 * DAY, 90 * DAY),
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.bars({
      title: 'Time until SSDs reach their rated endurance',
      description: 'Recorded wear-out forecast: endurance left over the write rate of the last day; red inside the SSDWearOutSoon horizon.',
      unit: units.Seconds,
      queries: [{ expr: recorded(RECORDED_SSD_WEAR_OUT_SECONDS), legend: '{{instance}} {{device}}', instant: true }],
      steps: falling(horizon, 2 * horizon),
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'VM memory allocated in 30 days, over host memory',
      description: 'Linear forecast from the last 7 days of VM memory allocated, as a share of host memory; the dashed line is 100 %.',
      unit: units.PercentUnit,
      queries: [
        {
          expr: `predict_linear(${sel(memoryAllocated)}[7d], 30 * ${DAY}) / ${sel(hostMemory)}`,
          legend: '{{instance}}',
        },
      ],
      steps: rising(0.9, 1),
      thresholdLines: true,
      min: 0,
      w: 12,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Build-root tmpfs peak in 30 days, over RAM + swap',
      description: 'Linear forecast from the last 7 days of the daily tmpfs usage peak, as a share of RAM + swap; the dashed line is 100 %.',
      unit: units.PercentUnit,
      queries: [
        {
          expr: `predict_linear(${tmpfsDailyPeak}[7d:1h], 30 * ${DAY}) / (${sel(ram)} + ${sel(swap)})`,
          legend: '{{instance}}',
        },
      ],
      steps: rising(0.9, 1),
      thresholdLines: true,
      min: 0,
      w: 12,
      h: 8,
    }),
  );
  return d;
}
