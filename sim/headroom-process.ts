// A real `headroom serve` in a child process on an ephemeral 127.0.0.1 port, for the tests,
// the benchmark and the soak: started from the built CLI, ready once it logs where it listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the folder of headroom's package.json above this module (src or dist). */
export function findRepoRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'headroom') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no headroom package.json above ${from}`);
    dir = up;
  }
}

export const repoRoot = findRepoRoot();
/** The built CLI, as `npx headroom` runs it. */
export const cliPath = path.join(repoRoot, 'dist/src/cli.js');

/** Log lines kept for assertions and error messages; a long soak must not grow without bound. */
const MAX_LOG_LINES = 10_000;

export interface HeadroomProcess {
  url: string;
  child: ChildProcess;
  /** Its log lines so far (JSON where parseable), the latest MAX_LOG_LINES. */
  logs: string[];
  /** Signals it (SIGTERM by default) and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnHeadroom(
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; nodeFlags?: readonly string[] } = {},
): Promise<HeadroomProcess> {
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), cliPath, 'serve', '--web.listen-address', '127.0.0.1:0', ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        logs.push(line);
        if (logs.length > MAX_LOG_LINES) logs.shift();
        if (!line.includes('headroom exporter listening')) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; address?: string };
          if (entry.msg === 'headroom exporter listening' && entry.address) resolve({ url: entry.address, child, logs, stop });
        } catch {
          /* not a log line */
        }
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`headroom serve exited with ${code} before listening:\n${logs.join('\n')}`)));
  });
}
