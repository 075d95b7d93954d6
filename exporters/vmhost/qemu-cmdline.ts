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

/** A qemu `-m` value in bytes: `512` (MiB, qemu's default unit), `2G`, `4g`, `size=4096M`, `1.5G,maxmem=8G`. */
export function parseQemuMemory(value: string): number {
  const size = parseOptionList(value, 'size').get('size');
  if (size === undefined) throw new QemuCmdlineError(`-m ${JSON.stringify(value)} gives no size`);
  const m = /^(\d+(?:\.\d+)?)([bkmgtpe])?$/i.exec(size.trim());
  if (!m) throw new QemuCmdlineError(`-m ${JSON.stringify(value)} is not a size`);
  const unit = m[2] ? SIZE_SUFFIX[m[2].toLowerCase()]! : MiB;
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes <= 0) throw new QemuCmdlineError(`-m ${JSON.stringify(value)} is zero`);
  return bytes;
}

const TOPOLOGY_KEYS = ['drawers', 'books', 'sockets', 'dies', 'clusters', 'cores', 'threads'] as const;

/**
 * The vCPUs a `-smp` value starts: `4`, `cpus=4,sockets=2,...`; without cpus, qemu takes
 * maxcpus, else the product of the topology (sockets × dies × clusters × cores × threads,
 * each 1 when omitted).
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

/** The value of the last `-opt`/`--opt` in argv (qemu lets a later one override), or undefined. */
function lastOption(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 1; i < argv.length - 1; i++) {
    if (argv[i] === `-${name}` || argv[i] === `--${name}`) value = argv[i + 1];
  }
  return value;
}

/** A qemu process's resources from its argv, or null when argv is not a qemu program. */
export function parseQemuCommandLine(argv: readonly string[]): QemuProcess | null {
  if (argv.length === 0 || !isQemuProgram(argv[0]!)) return null;
  const smp = lastOption(argv, 'smp');
  const mem = lastOption(argv, 'm');
  const name = lastOption(argv, 'name');
  const uuid = lastOption(argv, 'uuid');
  return {
    vcpus: smp === undefined ? 1 : parseQemuSmp(smp),
    memoryBytes: mem === undefined ? QEMU_DEFAULT_MEMORY_BYTES : parseQemuMemory(mem),
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
