import { fork, spawn, type ChildProcess } from 'node:child_process';
import { MAX_TIMER_MS } from './units.js';

export interface RunOptions {
  /** Kill the program (SIGKILL to its process group) after this long. */
  timeoutMs: number;
  /** Aborts like a timeout: the collector's refresh signal. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Refuse output larger than this (default 16 MiB): a program gone wild must not eat the exporter's memory. */
  maxOutputBytes?: number;
  /** Data written to the program's stdin, then closed; stdin is /dev/null otherwise. */
  input?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A program that could not run to a clean exit; the message names the program, never its environment. */
export class RunError extends Error {
  constructor(
    message: string,
    readonly program: string,
    readonly reason: 'not-found' | 'timeout' | 'aborted' | 'too-much-output' | 'exit' | 'spawn',
    readonly result?: RunResult,
  ) {
    super(message);
    this.name = 'RunError';
  }
}

/** SIGKILL to a child started in its own process group, and so to whatever it started. */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

/**
 * Runs a program with an argument array (never a shell), a timeout and a kill of its whole
 * process group, and an output cap. Resolves with the output when it exits 0 (or with any
 * status when `allowNonZero`), rejects with a RunError otherwise.
 */
export function runProgram(
  program: string,
  args: readonly string[],
  options: RunOptions & { allowNonZero?: boolean },
): Promise<RunResult> {
  const maxBytes = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new RunError(`${program}: not started, refresh aborted`, program, 'aborted'));
      return;
    }
    const child = spawn(program, [...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // Its own process group, so a kill also reaches whatever it started (ssh, helpers).
      detached: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let failure: RunError | null = null;

    const kill = (err: RunError) => {
      failure ??= err;
      killGroup(child);
    };
    const timer = setTimeout(
      () => kill(new RunError(`${program}: timed out after ${options.timeoutMs / 1000}s, killed`, program, 'timeout')),
      Math.min(options.timeoutMs, MAX_TIMER_MS),
    );
    const onAbort = () => kill(new RunError(`${program}: killed, refresh aborted`, program, 'aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        kill(new RunError(`${program}: output larger than ${maxBytes} bytes, killed`, program, 'too-much-output'));
        return;
      }
      into.push(chunk);
    };
    child.stdout!.on('data', collect(stdout));
    child.stderr!.on('data', collect(stderr));
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // the program may exit without reading it
      child.stdin!.end(options.input);
    }

    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??=
        err.code === 'ENOENT'
          ? new RunError(`${program}: not installed (not found on PATH)`, program, 'not-found')
          : new RunError(`${program}: cannot run: ${err.message}`, program, 'spawn');
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const result = {
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? -1,
      };
      if (failure) return reject(failure);
      if (code === 0 || (options.allowNonZero && code !== null)) return resolve(result);
      const why = sig ? `killed by ${sig}` : `exited with status ${code}`;
      const detail = lastLine(result.stderr) || lastLine(result.stdout);
      reject(new RunError(`${program} ${why}${detail ? `: ${detail}` : ''}`, program, 'exit', result));
    });
  });
}

/**
 * Runs one of headroom's own modules in a child node process and returns its one answer:
 * for work whose modules must not stay resident in the long-lived process (config
 * validation). The child gets `request` over IPC (structured clone: Maps, Buffers) and answers
 * with one message. No node flags of the parent's (NODE_OPTIONS still applies), its own
 * process group, killed after `timeoutMs` like a program.
 */
export function askNodeModule<Reply>(modulePath: string, request: unknown, options: { timeoutMs: number }): Promise<Reply> {
  const what = modulePath.split('/').slice(-2).join('/');
  return new Promise((resolve, reject) => {
    const child = fork(modulePath, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
    let stderr = '';
    let answer: { reply: Reply } | null = null;
    let failure: RunError | null = null;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-8192);
    });
    const timer = setTimeout(() => {
      failure = new RunError(`${what} did not answer within ${options.timeoutMs / 1000}s`, what, 'timeout');
      killGroup(child);
    }, Math.min(options.timeoutMs, MAX_TIMER_MS));
    child.once('message', (message: Reply) => {
      answer = { reply: message };
    });
    child.once('error', (err) => {
      failure ??= new RunError(`cannot start ${what}: ${err.message}`, what, 'spawn');
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) reject(failure);
      else if (answer) resolve(answer.reply);
      else reject(new RunError(`${what} exited with ${signal ?? code} and no answer${stderr ? `: ${lastLine(stderr)}` : ''}`, what, 'exit'));
    });
    child.send(request as object);
  });
}
