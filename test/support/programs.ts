import { spawnSync } from 'node:child_process';

/** Runs a real tool (promtool, amtool, restic...) synchronously and returns its outcome. */
export function runTool(program: string, args: string[], input?: string, env?: NodeJS.ProcessEnv) {
  const r = spawnSync(program, args, { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `promtool check metrics` on an exposition text: the lint Prometheus' own tooling applies. */
export function promtoolCheckMetrics(text: string) {
  return runTool('promtool', ['check', 'metrics'], text);
}
