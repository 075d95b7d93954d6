// Pure parser of a qemu command line (/proc/<pid>/cmdline split at NUL): is it a qemu
// process, and how many vCPUs and how much memory did it get. OBS workers start their build
// VMs this way, outside libvirt.
import path from 'node:path';

export class QemuCmdlineError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'QemuCmdlineError';
  }
}

export interface QemuProcess {
  readonly vcpus: number;
  readonly memoryBytes: number;
  /** `-name` (its `guest=` part): libvirt names its qemu processes after the domain. */
  readonly name: string | null;
  /** `-uuid`, lower case: libvirt passes the domain's UUID. */
  readonly uuid: string | null;
}

const MiB = 2 ** 20;
/** What qemu gives a machine started without -m (x86's default_ram_size). */
export const QEMU_DEFAULT_MEMORY_BYTES = 128 * MiB;

/** qemu-system-x86_64, qemu-system-aarch64, qemu-kvm (RHEL/SUSE); by the program's base name. */
export function isQemuProgram(argv0: string): boolean {
  const base = path.posix.basename(argv0);
  return base === 'qemu-kvm' || /^qemu-system-[A-Za-z0-9_.-]+$/.test(base);
}

/**
 * qemu's `key=value,key=value` option syntax: `,,` is a literal comma; an element without
 * `=` is the option's implied key (`-m 2G` = `-m size=2G`, `-smp 4` = `-smp cpus=4`).
 */
export function parseOptionList(text: string, impliedKey: string): Map<string, string> {
  const elements: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ',' && text[i + 1] === ',') {
      current += ',';
      i++;
    } else if (c === ',') {
      elements.push(current);
      current = '';
    } else current += c;
  }
  elements.push(current);
  const out = new Map<string, string>();
  elements.forEach((element, i) => {
    const eq = element.indexOf('=');
    if (eq >= 0) out.set(element.slice(0, eq), element.slice(eq + 1));
    else if (i === 0 && element !== '') out.set(impliedKey, element);
  });
  return out;
}

const SIZE_SUFFIX: Record<string, number> = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };

/** A qemu size (`2G`, `512`, `1.5g`) in bytes; a bare number is in `defaultUnit` bytes. */
function parseSize(what: string, size: string, defaultUnit: number): number {
  const m = /^(\d+(?:\.\d+)?)([bkmgtpe])?$/i.exec(size.trim());
  if (!m) throw new QemuCmdlineError(`${what} is not a size`);
  const unit = m[2] ? SIZE_SUFFIX[m[2].toLowerCase()]! : defaultUnit;
  return Math.round(Number(m[1]) * unit);
}

/** A qemu `-m` value in bytes: `512` (MiB, qemu's default unit), `2G`, `4g`, `size=4096M`, `1.5G,maxmem=8G`. */
export function parseQemuMemory(value: string): number {
  const size = parseOptionList(value, 'size').get('size');
  if (size === undefined) throw new QemuCmdlineError(`-m ${JSON.stringify(value)} gives no size`);
  const bytes = parseSize(`-m ${JSON.stringify(value)}`, size, MiB);
  if (bytes <= 0) throw new QemuCmdlineError(`-m ${JSON.stringify(value)} is zero`);
  return bytes;
}

// qemu 9.1 added modules (between clusters and cores) for x86.
const TOPOLOGY_KEYS = ['drawers', 'books', 'sockets', 'dies', 'clusters', 'modules', 'cores', 'threads'] as const;

/**
 * The vCPUs a `-smp` value starts: `4`, `cpus=4,sockets=2,...`; without cpus, qemu takes
 * maxcpus, else the product of the topology (drawers × books × sockets × dies × clusters ×
 * modules × cores × threads, each 1 when omitted).
 */
export function parseQemuSmp(value: string): number {
  const opts = parseOptionList(value, 'cpus');
  const whole = (key: string): number | undefined => {
    const v = opts.get(key);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new QemuCmdlineError(`-smp ${JSON.stringify(value)}: ${key} is not a whole number`);
    return Number(v);
  };
  const cpus = whole('cpus') || whole('maxcpus');
  if (cpus) return cpus;
  let product = 1;
  for (const key of TOPOLOGY_KEYS) product *= whole(key) ?? 1;
  if (product <= 0) throw new QemuCmdlineError(`-smp ${JSON.stringify(value)} gives no CPUs`);
  return product;
}

/** Every value of `-opt`/`--opt` in argv, in order. */
function allOptions(argv: readonly string[], ...names: string[]): string[] {
  const values: string[] = [];
  for (let i = 1; i < argv.length - 1; i++) {
    const a = argv[i]!;
    if (names.some((n) => a === `-${n}` || a === `--${n}`)) values.push(argv[++i]!);
  }
  return values;
}

/** The value of the last `-opt`/`--opt` in argv (qemu lets a later one override), or undefined. */
function lastOption(argv: readonly string[], name: string): string | undefined {
  return allOptions(argv, name).at(-1);
}

/**
 * A `-object`/`-device` value: qemu's `key=value` list or, as libvirt 7+ writes them, a JSON
 * object (`{"qom-type":"memory-backend-ram","id":"pc.ram","size":2147483648}`).
 */
function parseObjectOption(option: string, value: string, impliedKey: string): Map<string, string> {
  if (!value.trimStart().startsWith('{')) return parseOptionList(value, impliedKey);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new QemuCmdlineError(`${option} ${JSON.stringify(value.slice(0, 80))} is neither key=value nor JSON`);
  }
  const out = new Map<string, string>();
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new QemuCmdlineError(`${option} ${JSON.stringify(value.slice(0, 80))} is not a JSON object`);
  }
  for (const [k, v] of Object.entries(parsed)) if (typeof v !== 'object') out.set(k, String(v));
  return out;
}

/** Devices that plug memory at boot, outside -m. virtio-mem plugs its requested-size. */
const DIMM_DRIVERS = new Set(['pc-dimm', 'nvdimm']);
const VIRTIO_MEM_DRIVERS = new Set(['virtio-mem-pci', 'virtio-mem-ccw', 'virtio-mem']);

/**
 * The memory a qemu process gives its guest at boot: the boot memory (-m; without -m, the
 * size of -machine memory-backend=; without either, qemu's 128 MiB) plus the pc-dimm and
 * nvdimm devices' backends and the requested-size of virtio-mem devices. Sizes of -object and
 * -device are in bytes unless suffixed, unlike -m (MiB).
 */
function guestMemory(argv: readonly string[]): number {
  const backends = new Map<string, Map<string, string>>();
  for (const value of allOptions(argv, 'object')) {
    const obj = parseObjectOption('-object', value, 'qom-type');
    const id = obj.get('id');
    if (id !== undefined && obj.get('qom-type')?.startsWith('memory-backend-')) backends.set(id, obj);
  }
  const backendSize = (id: string, user: string): number => {
    const size = backends.get(id)?.get('size');
    if (size === undefined) throw new QemuCmdlineError(`${user} uses memory backend ${JSON.stringify(id)}, which has no -object with a size`);
    return parseSize(`memory backend ${JSON.stringify(id)} size ${JSON.stringify(size)}`, size, 1);
  };

  const mem = lastOption(argv, 'm');
  let memoryBackend: string | undefined;
  for (const value of allOptions(argv, 'machine', 'M')) memoryBackend = parseOptionList(value, 'type').get('memory-backend') ?? memoryBackend;
  let total =
    mem !== undefined
      ? parseQemuMemory(mem)
      : memoryBackend !== undefined
        ? backendSize(memoryBackend, '-machine memory-backend')
        : QEMU_DEFAULT_MEMORY_BYTES;

  for (const value of allOptions(argv, 'device')) {
    const dev = parseObjectOption('-device', value, 'driver');
    const driver = dev.get('driver') ?? '';
    if (DIMM_DRIVERS.has(driver)) {
      const memdev = dev.get('memdev');
      if (memdev === undefined) throw new QemuCmdlineError(`-device ${driver} has no memdev`);
      total += backendSize(memdev, `-device ${driver}`);
    } else if (VIRTIO_MEM_DRIVERS.has(driver)) {
      const requested = dev.get('requested-size');
      if (requested !== undefined) total += parseSize(`-device ${driver} requested-size ${JSON.stringify(requested)}`, requested, 1);
    }
  }
  return total;
}

export interface ParseOptions {
  /**
   * The command line was cut inside its last argument (that argument already dropped): values
   * qemu would default cannot be assumed, so -m (or -machine memory-backend=) and -smp must
   * appear before the cut. Devices after the cut are not seen.
   */
  readonly cut?: boolean;
}

/** A qemu process's resources from its argv, or null when argv is not a qemu program. */
export function parseQemuCommandLine(argv: readonly string[], opts: ParseOptions = {}): QemuProcess | null {
  if (argv.length === 0 || !isQemuProgram(argv[0]!)) return null;
  const smp = lastOption(argv, 'smp');
  const name = lastOption(argv, 'name');
  const uuid = lastOption(argv, 'uuid');
  if (opts.cut) {
    const hasMemory = lastOption(argv, 'm') !== undefined || allOptions(argv, 'machine', 'M').some((v) => v.includes('memory-backend='));
    if (smp === undefined || !hasMemory) {
      throw new QemuCmdlineError(`command line cut short after ${argv.length} arguments, before its ${smp === undefined ? '-smp' : '-m'}: vCPUs and memory unknown`);
    }
  }
  return {
    vcpus: smp === undefined ? 1 : parseQemuSmp(smp),
    memoryBytes: guestMemory(argv),
    name: name === undefined ? null : (parseOptionList(name, 'guest').get('guest') ?? null),
    uuid: uuid === undefined ? null : uuid.toLowerCase(),
  };
}

/** /proc/<pid>/cmdline bytes → argv (NUL-separated, usually NUL-terminated). */
export function splitCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * A process from its /proc/<pid>/cmdline bytes. The kernel ends every argument with a NUL;
 * without a final NUL the line was cut inside its last argument (kernels before 4.2 give one
 * page; a reader may cap it), and that partial argument is not read as if it were whole.
 */
export function parseProcCmdline(raw: string): QemuProcess | null {
  const argv = splitCmdline(raw);
  const cut = raw !== '' && !raw.endsWith('\0');
  if (cut) argv.pop();
  return parseQemuCommandLine(argv, { cut });
}
