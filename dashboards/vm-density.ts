// VM density: how stretched each physical host is by the VMs it carries, libvirt domains and
// unmanaged qemu processes (OBS build VMs) together, against its CPUs and memory.
import * as units from '@grafana/grafana-foundation-sdk/units';
import { defaultAlertsConfig, type AlertsConfig } from '../alerts/config.js';
import { pressureMetrics } from '../exporters/pressure/metrics.js';
import {
  domainCpu,
  domainCpuWait,
  domainMemoryStalled,
  domains,
  hostCpus,
  hostMemory,
  memoryAllocated,
  memoryOvercommit,
  qemuMemory,
  qemuProcesses,
  qemuVcpus,
  vcpuOvercommit,
  vcpusAllocated,
} from '../exporters/vmhost/metrics.js';
import { dashboard, instanceVariable, okFailed, PanelFactory, rising } from './panels.js';
import { sourceUp } from '../src/runtime.js';
import { byInstance, scopedQueries } from './promql.js';

export const VM_DENSITY_UID = 'headroom-vm-density';


export function vmDensityDashboard(alerts: AlertsConfig = defaultAlertsConfig) {
  // The thresholds the user's alert rules fire at: the panels' colours and dashed lines follow them.
  const t = alerts.thresholds;
  // The user's label selectors, as the alert rules apply them: a panel shows what its alert sees.
  const { sel, rateOf } = scopedQueries(alerts.selectors);
  const p = new PanelFactory();
  const d = dashboard({
    uid: VM_DENSITY_UID,
    title: 'headroom / VM density',
    description: 'Domains, vCPUs and memory allocated against physical CPUs and memory per host, and unmanaged qemu VMs.',
    from: 'now-7d',
  }).withVariable(instanceVariable(hostCpus, 'VM host'));

  d.withRow(p.row('All VM hosts'));
  d.withPanel(
    p.bars({
      title: 'vCPU overcommit',
      description: 'vCPUs allocated per host CPU, hosts side by side; red at the VMHostVCPUOvercommitHigh threshold.',
      unit: units.PercentUnit,
      queries: [{ expr: sel(vcpuOvercommit), legend: '{{instance}}', instant: true }],
      steps: rising(t.vmhostVcpuOvercommitRatio / 2, t.vmhostVcpuOvercommitRatio),
      min: 0,
      max: t.vmhostVcpuOvercommitRatio * 1.5,
      w: 12,
      h: 7,
    }),
  );
  d.withPanel(
    p.bars({
      title: 'Memory overcommit',
      description: 'VM memory allocated over host memory, hosts side by side; red above 100 % (VMHostMemoryOvercommitted).',
      unit: units.PercentUnit,
      queries: [{ expr: sel(memoryOvercommit), legend: '{{instance}}', instant: true }],
      steps: rising(0.9 * t.vmhostMemoryOvercommitRatio, t.vmhostMemoryOvercommitRatio),
      min: 0,
      max: 1.5 * t.vmhostMemoryOvercommitRatio,
      w: 12,
      h: 7,
    }),
  );

  d.withRow(p.row('$instance', 'instance'));
  d.withPanel(
    p.stat({
      title: 'libvirt',
      description: 'Whether libvirt answered on the last refresh; without libvirt every qemu process counts as unmanaged.',
      unit: units.NoUnit,
      queries: [{ expr: sel(sourceUp, { ...byInstance, collector: '="vmhost"', source: '="libvirt"' }), instant: true }],
      mappings: okFailed('answering', 'unavailable'),
      steps: [['orange', null], ['green', 1]],
      w: 4,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Unmanaged qemu VMs',
      description: 'qemu processes not managed by libvirt (OBS build VMs): invisible to libvirt exporters, counted here.',
      unit: units.Short,
      queries: [{ expr: sel(qemuProcesses), instant: true }],
      sparkline: true,
      w: 4,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'CPUs',
      description: 'Logical CPUs of the physical host.',
      unit: units.Short,
      queries: [{ expr: sel(hostCpus), instant: true }],
      w: 4,
      h: 4,
    }),
  );
  d.withPanel(
    p.stat({
      title: 'Memory',
      description: 'Memory of the physical host.',
      unit: units.BytesIEC,
      queries: [{ expr: sel(hostMemory), instant: true }],
      w: 4,
      h: 4,
    }),
  );
  // The host's vCPU promise, in its row and again beside what it costs.
  const vcpuOvercommitStat = (title: string, description: string, h: number) =>
    p.stat({
      title,
      description,
      unit: units.PercentUnit,
      queries: [{ expr: sel(vcpuOvercommit), instant: true }],
      steps: rising(t.vmhostVcpuOvercommitRatio / 2, t.vmhostVcpuOvercommitRatio),
      w: 4,
      h,
    });
  d.withPanel(vcpuOvercommitStat('vCPU overcommit', 'vCPUs allocated (libvirt domains and unmanaged qemu) per host CPU.', 4));
  d.withPanel(
    p.stat({
      title: 'Memory overcommit',
      description: 'VM memory allocated over host memory.',
      unit: units.PercentUnit,
      queries: [{ expr: sel(memoryOvercommit), instant: true }],
      steps: rising(0.9 * t.vmhostMemoryOvercommitRatio, t.vmhostMemoryOvercommitRatio),
      w: 4,
      h: 4,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Domains by state',
      description: 'libvirt domains by state; a crashed domain fires VMHostDomainCrashed.',
      unit: units.Short,
      queries: [{ expr: `${sel(domains)} > 0`, legend: '{{state}}' }],
      stacked: true,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'vCPUs allocated vs CPUs',
      description: 'vCPUs of active libvirt domains plus unmanaged qemu VMs, against the host\'s logical CPUs.',
      unit: units.Short,
      queries: [
        { expr: `${sel(vcpusAllocated)} - ${sel(qemuVcpus)}`, legend: 'libvirt domains' },
        { expr: sel(qemuVcpus), legend: 'unmanaged qemu' },
        { expr: sel(hostCpus), legend: 'host CPUs' },
      ],
      w: 8,
      h: 8,
    }).overrideByName('host CPUs', [{ id: 'custom.fillOpacity', value: 0 }]),
  );
  d.withPanel(
    p.timeseries({
      title: 'Memory allocated vs physical',
      description: 'Memory of active libvirt domains plus unmanaged qemu VMs, against the host\'s memory.',
      unit: units.BytesIEC,
      queries: [
        { expr: `${sel(memoryAllocated)} - ${sel(qemuMemory)}`, legend: 'libvirt domains' },
        { expr: sel(qemuMemory), legend: 'unmanaged qemu' },
        { expr: sel(hostMemory), legend: 'host memory' },
      ],
      w: 8,
      h: 8,
    }).overrideByName('host memory', [{ id: 'custom.fillOpacity', value: 0 }]),
  );

  // What the promises cost the VMs: time their vCPUs wait for a host CPU, and memory stalls.
  d.withRow(p.row('Cost of overcommit on $instance', 'instance'));
  d.withPanel(vcpuOvercommitStat('vCPU overcommit now', 'vCPUs allocated per host CPU: the promise whose cost the panels beside it show.', 8));
  d.withPanel(
    p.timeseries({
      title: 'CPU wait per VM',
      description: 'Share of the time each VM\'s threads were runnable that they waited for a host CPU (run delay); the dashed line is the VMHostCPUContention threshold.',
      unit: units.PercentUnit,
      queries: [{ expr: `${rateOf(domainCpuWait)} / (${rateOf(domainCpuWait)} + ${rateOf(domainCpu)})`, legend: '{{domain}}' }],
      steps: rising(t.vmhostCpuWaitRatio, t.vmhostCpuWaitRatio),
      thresholdLines: true,
      min: 0,
      w: 8,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Host time stalled',
      description: 'Share of the time at least one task on the host waited for a CPU, and every task stalled on memory (PSI).',
      unit: units.PercentUnit,
      queries: [
        { expr: rateOf(pressureMetrics.cpuWaiting), legend: 'waiting for a CPU' },
        { expr: rateOf(pressureMetrics.memoryStalled), legend: 'stalled on memory' },
      ],
      min: 0,
      w: 6,
      h: 8,
    }),
  );
  d.withPanel(
    p.timeseries({
      title: 'Memory stall per VM',
      description: 'Share of the time every task of a VM\'s systemd scope stalled on memory (cgroup v2 PSI); empty on cgroup v1 hosts and for VMs without a scope of their own.',
      unit: units.PercentUnit,
      queries: [{ expr: rateOf(domainMemoryStalled), legend: '{{domain}}' }],
      min: 0,
      w: 6,
      h: 8,
    }),
  );
  return d;
}
