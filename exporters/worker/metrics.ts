// The worker collector's catalog: alerts, dashboards and the planner import these definitions,
// so a rename breaks their build rather than a panel. Refreshed at scrape time from /proc, /sys and the OBS config.
import { gauge } from '../../src/metrics.js';

const fromConfig = 'from the OBS worker configuration (obs-server, obs-worker, buildhost.config) with obsworker\'s defaults; absent on a host without OBS worker configuration';

export const workerMetrics = {
  configPresent: gauge(
    'headroom_worker_obs_config_present',
    'Whether any OBS worker configuration file was found (1) or not (0); without one the worker_* series are absent and nothing is promised to OBS instances.',
  ),
  instances: gauge('headroom_worker_instances', `Number of OBS worker instances (OBS_WORKER_INSTANCES, 0 = one per CPU), ${fromConfig}.`),
  instanceMemory: gauge(
    'headroom_worker_instance_memory_bytes',
    `Memory given to each build VM in bytes (OBS_INSTANCE_MEMORY, default 512 MiB), ${fromConfig}.`,
  ),
  rootSize: gauge(
    'headroom_worker_root_size_bytes',
    `Size of each instance's VM root disk and, in tmpfs mode, its tmpfs limit, in bytes (OBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE, default 4096 MiB), ${fromConfig}.`,
  ),
  swapSize: gauge(
    'headroom_worker_swap_size_bytes',
    `Size of each instance's VM swap disk in bytes (OBS_VM_DISK_AUTOSETUP_SWAP_FILESIZE, default 1024 MiB), ${fromConfig}.`,
  ),
  tmpfsEnabled: gauge(
    'headroom_worker_tmpfs_enabled',
    `Whether build roots are mounted as tmpfs per job (1) or not (0): OBS_VM_USE_TMPFS set and a VM type that uses it (xen, kvm, qemu:, emulator:), ${fromConfig}.`,
  ),
  hugetlbfsEnabled: gauge(
    'headroom_worker_hugetlbfs_enabled',
    `Whether build VM memory comes from preallocated hugepages (1, OBS_VM_USE_HUGETLBFS set) or from ordinary memory (0), ${fromConfig}.`,
  ),
  ram: gauge(
    'headroom_memory_ram_bytes',
    'RAM that tmpfs and ordinary VM memory compete for, in bytes: MemTotal minus HugePages_Total x Hugepagesize (/proc/meminfo).',
  ),
  swap: gauge('headroom_memory_swap_bytes', 'Swap space of the host in bytes (SwapTotal in /proc/meminfo).'),
  hugepages: gauge(
    'headroom_memory_hugepages_bytes',
    'Memory reserved as hugepages of the default size in bytes (HugePages_Total x Hugepagesize in /proc/meminfo); not usable by tmpfs and never swapped.',
  ),
  tmpfsPromised: gauge(
    'headroom_tmpfs_promised_bytes',
    'Bytes the build-root tmpfs may grow to: instances x root size when tmpfs mode is on, plus the size limits of other tmpfs mounts selected by tmpfs_mounts. An upper bound, not a reservation.',
  ),
  tmpfsUsed: gauge(
    'headroom_tmpfs_used_bytes',
    'Bytes held now by the selected tmpfs mounts (build roots mounted for running jobs), from statfs.',
  ),
  tmpfsMounts: gauge(
    'headroom_tmpfs_mounts',
    'Number of selected tmpfs mounts mounted now (in tmpfs mode: instances currently building).',
  ),
  vmMemoryPromised: gauge(
    'headroom_vm_memory_promised_bytes',
    'Memory promised to build VMs in bytes: instances x instance memory (0 when builds run without VMs or without OBS configuration).',
  ),
  overcommit: gauge(
    'headroom_memory_overcommit_ratio',
    'Promised memory over what exists: (tmpfs promised + VM memory promised) / (RAM + swap); when VM memory is hugepage-backed, tmpfs promised / (RAM + swap). Above 1 the promise cannot be kept if every instance uses all of it.',
  ),
  hugepagesOvercommit: gauge(
    'headroom_worker_hugepages_overcommit_ratio',
    'VM memory promised over hugepages reserved, when build VM memory is hugepage-backed; above 1 some VMs cannot start. Absent otherwise.',
  ),
} as const;

export const workerCatalog = Object.values(workerMetrics);
