// The vmhost catalog: how stretched this physical host is by the VMs it carries. Every value
// is refreshed in the background (libvirt can hang on a domain lock); the scrape serves the last
// snapshot and headroom_collector_source_last_success_timestamp_seconds{collector="vmhost"} says how
// old it is. Whether libvirt answered is headroom_collector_source_up{collector="vmhost",source="libvirt"}.
import { counter, gauge } from '../../src/metrics.js';

const BG = 'Refreshed in the background; see headroom_collector_source_last_success_timestamp_seconds{collector="vmhost",source="vmhost"} for its age.';

export const hostCpus = gauge(
  'headroom_vmhost_cpus',
  `Logical CPUs of the physical host (libvirt nodeinfo, or the online CPUs in sysfs when libvirt is unavailable). ${BG}`,
);
export const hostMemory = gauge(
  'headroom_vmhost_memory_bytes',
  `Memory of the physical host in bytes (libvirt nodeinfo, or MemTotal from /proc/meminfo when libvirt is unavailable). ${BG}`,
);
export const domains = gauge(
  'headroom_vmhost_domains',
  `Libvirt domains by state (running, blocked, paused, shutdown, shutoff, crashed, pmsuspended, nostate; 0 for states with none); absent while libvirt is unavailable. ${BG}`,
  ['state'],
);
export const vcpusAllocated = gauge(
  'headroom_vmhost_vcpus_allocated',
  `vCPUs of the active libvirt domains (every state but shut off) plus those of unmanaged qemu processes (OBS build VMs). ${BG}`,
);
export const memoryAllocated = gauge(
  'headroom_vmhost_memory_allocated_bytes',
  `Memory in bytes of the active libvirt domains (current balloon size, every state but shut off) plus the boot memory of unmanaged qemu processes (OBS build VMs): -m (or the -machine memory-backend), pc-dimm/nvdimm devices and virtio-mem requested-size. ${BG}`,
);
export const vcpuOvercommit = gauge(
  'headroom_vmhost_vcpu_overcommit_ratio',
  `headroom_vmhost_vcpus_allocated / headroom_vmhost_cpus: 1 means one vCPU per host CPU, above 1 the host is overcommitted. ${BG}`,
);
export const memoryOvercommit = gauge(
  'headroom_vmhost_memory_overcommit_ratio',
  `headroom_vmhost_memory_allocated_bytes / headroom_vmhost_memory_bytes: above 1 the VMs were promised more memory than the host has. ${BG}`,
);
export const qemuProcesses = gauge(
  'headroom_vmhost_qemu_processes',
  `qemu processes (qemu-system-*, qemu-kvm) not managed by libvirt, e.g. OBS build VMs; invisible to libvirt exporters. ${BG}`,
);
export const qemuVcpus = gauge(
  'headroom_vmhost_qemu_vcpus',
  `vCPUs (-smp) of the qemu processes not managed by libvirt; part of headroom_vmhost_vcpus_allocated. ${BG}`,
);
export const qemuMemory = gauge(
  'headroom_vmhost_qemu_memory_bytes',
  `Memory in bytes the qemu processes not managed by libvirt give their guests at boot (-m, else the -machine memory-backend's size, else qemu's 128 MiB; plus pc-dimm/nvdimm devices and virtio-mem requested-size); part of headroom_vmhost_memory_allocated_bytes. ${BG}`,
);

// Per-domain series: only with `per_domain: true` (one series per domain, or per domain and state).
export const domainVcpus = gauge(
  'headroom_vmhost_domain_vcpus',
  `vCPUs of a libvirt domain (current count), whatever its state; only with per_domain: true. ${BG}`,
  ['domain'],
);
export const domainMemory = gauge(
  'headroom_vmhost_domain_memory_bytes',
  `Current memory (balloon) of a libvirt domain in bytes, whatever its state; only with per_domain: true. ${BG}`,
  ['domain'],
);
export const domainState = gauge(
  'headroom_vmhost_domain_state',
  `State of a libvirt domain, one series per state, 1 for the current one; only with per_domain: true. ${BG}`,
  ['domain', 'state'],
);

// What overcommit costs each VM: one series per running VM (libvirt's or not), always on, as
// the VM-contention alert needs them. `domain` = the qemu process' -name guest= (libvirt's
// domain name), or `pid-<pid>` for a qemu process without -name.
const PER_VM = 'Summed over every thread of the VM\'s qemu process (vCPUs, I/O and main loop); threads that exited keep what they had at the last refresh.';
export const domainCpuWait = counter(
  'headroom_vmhost_domain_cpu_wait_seconds_total',
  `Seconds the VM's qemu threads were runnable but waited for a host CPU (run delay, /proc/<pid>/task/*/schedstat): what vCPU overcommit costs this VM. ${PER_VM} ${BG}`,
  ['domain'],
);
export const domainCpu = counter(
  'headroom_vmhost_domain_cpu_seconds_total',
  `Seconds the VM's qemu threads ran on a host CPU (/proc/<pid>/task/*/schedstat). ${PER_VM} ${BG}`,
  ['domain'],
);
export const domainMemoryWaiting = counter(
  'headroom_vmhost_domain_memory_waiting_seconds_total',
  `Seconds in which some task of the VM's systemd scope stalled on memory (PSI "some" of the scope's cgroup v2 memory.pressure); absent on cgroup v1 and for qemu processes outside a scope of their own. ${BG}`,
  ['domain'],
);
export const domainMemoryStalled = counter(
  'headroom_vmhost_domain_memory_stalled_seconds_total',
  `Seconds in which every task of the VM's systemd scope stalled on memory at once (PSI "full" of the scope's memory.pressure); absent on cgroup v1 and for qemu processes outside a scope of their own. ${BG}`,
  ['domain'],
);

export const vmhostMetrics = [
  hostCpus,
  hostMemory,
  domains,
  vcpusAllocated,
  memoryAllocated,
  vcpuOvercommit,
  memoryOvercommit,
  qemuProcesses,
  qemuVcpus,
  qemuMemory,
  domainVcpus,
  domainMemory,
  domainState,
  domainCpuWait,
  domainCpu,
  domainMemoryWaiting,
  domainMemoryStalled,
] as const;
