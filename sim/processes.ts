import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A server process of the local stack (Prometheus, Alertmanager...), stopped by PID. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything it printed so far (capped), for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ManagedProcess>();
// Whatever happens to the parent, no server is left behind.
process.once('exit', () => {
  for (const p of running) p.child.kill('SIGKILL');
});

export function startProcess(name: string, program: string, args: string[], opts: { logFile?: string; env?: NodeJS.ProcessEnv } = {}): ManagedProcess {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let out = '';
  const log = opts.logFile ? createWriteStream(opts.logFile) : null;
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-20_000);
    // Output can still arrive between 'exit' and the pipes closing; once the log is
    // ended it is only kept in memory.
    if (log && !log.writableEnded) log.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // 'close' comes after the last output; a grandchild holding the pipes open can delay it.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', (err) => {
    out += `\n${program}: ${err.message}`;
  });
  const proc: ManagedProcess = {
    name,
    child,
    output: () => out,
    async stop() {
      running.delete(proc);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      log?.end();
    },
  };
  running.add(proc);
  return proc;
}
