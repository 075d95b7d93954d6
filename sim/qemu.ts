// Tiny real qemu guests for tests: no disk, no kernel, only a 64 KiB firmware image whose
// reset vector (the last 16 bytes) either spins or halts. Run under TCG in their own process
// group, talked to over QMP on stdio, killed by process group and after a time limit whatever
// happens to the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type GuestProgram = 'busy' | 'idle';

const FIRMWARE_BYTES = 64 * 1024; // qemu wants a multiple of 64 KiB
const RESET_VECTOR = 0xfff0; // CS:IP at reset = top 16 bytes of the firmware
const CODE: Record<GuestProgram, number[]> = {
  busy: [0xeb, 0xfe], // jmp $: the vCPU never stops running
  // hlt; jmp back to hlt. Interrupts are off at reset and nothing enables them: it sleeps.
  idle: [0xf4, 0xeb, 0xfd],
};

export function writeFirmware(dir: string, program: GuestProgram): string {
  const image = Buffer.alloc(FIRMWARE_BYTES);
  Buffer.from(CODE[program]).copy(image, RESET_VECTOR);
  const file = path.join(dir, `${program}.bin`);
  writeFileSync(file, image);
  return file;
}

export interface TinyGuest {
  readonly pid: number;
  /** Runs a QMP command and returns its "return" value. */
  qmp(command: string, args?: Record<string, unknown>): Promise<unknown>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

export interface TinyGuestOptions {
  readonly dir: string;
  readonly program: GuestProgram;
  /** -name guest=<name>: the VM name headroom reports. */
  readonly name: string;
  /** Further qemu arguments (-m, -smp, -object, -device...). */
  readonly args?: readonly string[];
  /** Host CPUs to confine the guest to (taskset -c), to make vCPUs contend on purpose. */
  readonly cpus?: string;
  /** Killed after this long whatever the test does: bounds the CPU a test can burn. */
  readonly maxSeconds?: number;
}

export async function startTinyGuest(opts: TinyGuestOptions): Promise<TinyGuest> {
  const qemu = [
    'qemu-system-x86_64', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-no-user-config',
    '-bios', writeFirmware(opts.dir, opts.program),
    '-name', `guest=${opts.name}`, '-qmp', 'stdio',
    ...(opts.args ?? []),
  ];
  const argv = opts.cpus === undefined ? qemu : ['taskset', '-c', opts.cpus, ...qemu];
  // taskset execs qemu: same pid, and detached makes it the leader of its own process group.
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  running.add(child);
  const limit = setTimeout(() => killGroup(child, 'SIGKILL'), (opts.maxSeconds ?? 60) * 1000);
  limit.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));

  // QMP: a greeting, then one reply per command in order; events come in between.
  const replies: ((msg: Record<string, unknown>) => void)[] = [];
  let greeted: () => void;
  const greeting = new Promise<void>((resolve) => (greeted = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if ('QMP' in msg) greeted();
    else if ('return' in msg || 'error' in msg) replies.shift()?.(msg);
  });
  const failed = exited.then(() => {
    throw new Error(`qemu ${opts.name} exited: ${stderr.trim()}`);
  });
  failed.catch(() => {});

  const qmp = async (command: string, args?: Record<string, unknown>) => {
    const reply = new Promise<Record<string, unknown>>((resolve) => replies.push(resolve));
    child.stdin!.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
    const msg = await Promise.race([reply, failed]);
    if ('error' in msg) throw new Error(`qemu ${opts.name}: ${command}: ${JSON.stringify(msg.error)}`);
    return msg.return;
  };
  await Promise.race([greeting, failed]);
  await qmp('qmp_capabilities');
  return {
    pid: child.pid!,
    qmp,
    async stop() {
      clearTimeout(limit);
      killGroup(child, 'SIGKILL');
      await exited;
      running.delete(child);
    },
  };
}
