// What OBS's obsworker would do with a host's configuration: instances, memory per VM, tmpfs
// and hugepages, with obsworker's own defaults. Pure: the host facts it needs are passed in.

const MiB = 1024 * 1024;

/**
 * The configuration files obsworker sources, in order (later ones override earlier ones): both
 * packagings. openSUSE's init script reads /etc/sysconfig/obs-server; Debian's obs-worker reads
 * /etc/default/obsworker (its init script's DEFAULTS=), then /etc/buildhost.config. A host has
 * one of the two; missing files are skipped.
 */
export const DEFAULT_CONFIG_FILES = ['/etc/sysconfig/obs-server', '/etc/sysconfig/obs-worker', '/etc/default/obsworker', '/etc/buildhost.config'];
export const DEFAULT_WORKER_DIRECTORY = '/var/cache/obs/worker';

export class WorkerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerConfigError';
  }
}

/** Host facts obsworker looks at when the configuration leaves a choice to it. */
export interface HostFacts {
  /** /sys/devices/system/cpu/cpu[0-9]* count: instances when OBS_WORKER_INSTANCES is 0. */
  readonly cpuCount: number;
  /** /dev/kvm and /usr/bin/qemu-kvm exist: OBS_VM_TYPE=auto picks kvm. */
  readonly kvmAvailable: boolean;
  /** Running under Xen: auto picks xen when kvm is not there. */
  readonly xenAvailable: boolean;
}

export interface WorkerSettings {
  readonly instances: number;
  readonly instanceMemoryBytes: number;
  readonly rootSizeBytes: number;
  readonly swapSizeBytes: number;
  /** The VM type obsworker ends up with; `chroot` when builds run without a VM. */
  readonly vmType: string;
  /** Builds run in a VM, so each instance takes OBS_INSTANCE_MEMORY of host memory. */
  readonly usesVm: boolean;
  /** Each building instance gets a tmpfs of the root size at its build root. */
  readonly tmpfs: boolean;
  /** VM memory comes out of preallocated hugepages (OBS_VM_USE_HUGETLBFS set). */
  readonly hugetlbfs: boolean;
  readonly workerDirectory: string;
}

function megabytes(vars: ReadonlyMap<string, string>, name: string, fallbackMb: number): number {
  const raw = (vars.get(name) ?? '').trim();
  if (raw === '') return fallbackMb * MiB;
  if (!/^\d+$/.test(raw)) throw new WorkerConfigError(`${name}=${JSON.stringify(raw)} is not a whole number of megabytes`);
  return Number(raw) * MiB;
}

/** VM types for which obsworker passes --tmpfs (not lxc: OBS issue #12554). */
function tmpfsCapable(vmType: string): boolean {
  return vmType === 'xen' || vmType === 'kvm' || vmType.startsWith('qemu:') || vmType.startsWith('emulator:');
}

function effectiveVmType(configured: string, facts: HostFacts): string {
  const type = configured.trim();
  if (type === '' || type === 'auto') {
    if (facts.kvmAvailable) return 'kvm';
    if (facts.xenAvailable) return 'xen';
    return 'chroot';
  }
  return type === 'none' ? 'chroot' : type;
}

/** Applies obsworker's defaults to the merged variables of its configuration files. */
export function resolveWorkerSettings(vars: ReadonlyMap<string, string>, facts: HostFacts): WorkerSettings {
  const instancesRaw = (vars.get('OBS_WORKER_INSTANCES') ?? '').trim();
  if (instancesRaw !== '' && !/^\d+$/.test(instancesRaw)) {
    throw new WorkerConfigError(`OBS_WORKER_INSTANCES=${JSON.stringify(instancesRaw)} is not a whole number`);
  }
  const configuredInstances = instancesRaw === '' ? 0 : Number(instancesRaw);
  const vmType = effectiveVmType(vars.get('OBS_VM_TYPE') ?? '', facts);
  const usesVm = vmType !== 'chroot' && vmType !== 'lxc';
  const directory = (vars.get('OBS_WORKER_DIRECTORY') ?? '').trim();
  return {
    instances: configuredInstances > 0 ? configuredInstances : facts.cpuCount,
    instanceMemoryBytes: megabytes(vars, 'OBS_INSTANCE_MEMORY', 512),
    rootSizeBytes: megabytes(vars, 'OBS_VM_DISK_AUTOSETUP_ROOT_FILESIZE', 4096),
    swapSizeBytes: megabytes(vars, 'OBS_VM_DISK_AUTOSETUP_SWAP_FILESIZE', 1024),
    vmType,
    usesVm,
    tmpfs: (vars.get('OBS_VM_USE_TMPFS') ?? '').trim() !== '' && tmpfsCapable(vmType),
    hugetlbfs: usesVm && (vars.get('OBS_VM_USE_HUGETLBFS') ?? '').trim() !== '',
    workerDirectory: directory === '' ? DEFAULT_WORKER_DIRECTORY : directory.replace(/\/+$/, '') || '/',
  };
}
