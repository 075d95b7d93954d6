import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built CLI, as `npx headroom` runs it (npm test builds first). */
export const cliPath = path.join(repoRoot, 'dist/src/cli.js');

// Every exporter a test file starts is stopped when the file ends, wherever it was started
// (a hook registered inside beforeAll would never run), and killed if the worker exits.
const started = new Set<ChildProcess>();
afterAll(async () => {
  await Promise.all(
    [...started].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
});
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

export interface ExporterProcess {
  url: string;
  child: ChildProcess;
  /** Every log line so far (JSON objects where parseable). */
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `headroom serve` on an ephemeral 127.0.0.1 port and resolves once it logs where it
 * listens. Stopped after the test file unless stopped before.
 */
export function startExporterProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ExporterProcess> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--web.listen-address', '127.0.0.1:0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let exited: Promise<number | null> = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  started.add(child);
  child.once('exit', () => started.delete(child));
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; address?: string };
          if (entry.msg === 'headroom exporter listening' && entry.address) {
            resolve({ url: entry.address, child, logs, stop });
          }
        } catch {
          /* not JSON: keep it in logs */
        }
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', onData);
    exited = exited.then((code) => {
      reject(new Error(`headroom serve exited with ${code} before listening:\n${logs.join('\n')}`));
      return code;
    });
  });
}
