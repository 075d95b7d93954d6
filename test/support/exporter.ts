import type { ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';
import { spawnHeadroom, type HeadroomProcess } from '../../sim/headroom-process.js';

export { cliPath, repoRoot } from '../../sim/headroom-process.js';
export type ExporterProcess = HeadroomProcess;

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

/** `headroom serve` on an ephemeral 127.0.0.1 port, stopped after the test file unless stopped before. */
export async function startExporterProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ExporterProcess> {
  const running = await spawnHeadroom(args, { env }); // a failed start has exited already
  started.add(running.child);
  running.child.once('exit', () => started.delete(running.child));
  return running;
}
