// Starts the exporters under comparison on 127.0.0.1: the built `headroom serve` and the
// Debian-packaged peers. Each is stopped by PID (sim/processes.ts also kills them if the
// benchmark itself dies).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPaths } from '../src/paths.js';
import { freePort, waitFor } from '../sim/net.js';
import { startProcess, type ManagedProcess } from '../sim/processes.js';

const cliPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.js');

/** Extra node options for every headroom started (e.g. --cpu-prof), set by run.ts. */
let headroomNodeArgs: string[] = [];
export function setHeadroomNodeArgs(args: string[]): void {
  headroomNodeArgs = args;
}

export interface RunningExporter {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

async function listening(name: string, proc: ManagedProcess, url: string): Promise<RunningExporter> {
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${name} exited:\n${proc.output()}`);
      const res = await fetch(url);
      await res.arrayBuffer();
      return res.ok ? true : undefined;
    },
    `${name} to serve ${url}`,
    30_000,
  ).catch(async (err: Error) => {
    await proc.stop();
    throw new Error(`${err.message}\n${proc.output().slice(-2000)}`);
  });
  return { name, url, pid: proc.child.pid!, process: proc, stop: () => proc.stop() };
}

/**
 * `headroom serve` with a config written to dir/<name>.yml, reading the host from `paths`;
 * `cli` names another build's cli.js (A/B runs of two builds).
 */
export async function startHeadroom(dir: string, name: string, configYaml: string, paths: HostPaths, extraArgs: readonly string[] = [], cli: string = cliPath): Promise<RunningExporter> {
  const config = path.join(dir, `${name}.yml`);
  writeFileSync(config, configYaml);
  const port = await freePort();
  const proc = startProcess(name, process.execPath, [
    ...headroomNodeArgs,
    cli,
    'serve',
    '--config', config,
    '--web.listen-address', `127.0.0.1:${port}`,
    '--path.procfs', paths.procfs,
    '--path.sysfs', paths.sysfs,
    '--path.rootfs', paths.rootfs,
    '--log.level', 'warn',
    ...extraArgs,
  ]);
  return listening(name, proc, `http://127.0.0.1:${port}/metrics`);
}

/** bench/bare-http-server.ts serving `bodyFile` with serve's node flags: the runtime's floor. */
export async function startBareHttpServer(bodyFile: string, nodeArgs: readonly string[]): Promise<RunningExporter> {
  const port = await freePort();
  const server = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'bare-http-server.js');
  const proc = startProcess('node:http floor', process.execPath, [...nodeArgs, server, bodyFile, String(port)]);
  return listening('node:http floor', proc, `http://127.0.0.1:${port}/metrics`);
}

/** node_exporter limited to what headroom's host collectors cover, as the issue sets it. */
export async function startNodeExporter(paths: HostPaths, extraArgs: readonly string[] = []): Promise<RunningExporter> {
  const port = await freePort();
  const proc = startProcess('node_exporter', 'prometheus-node-exporter', [
    '--collector.disable-defaults',
    '--collector.meminfo',
    '--collector.vmstat',
    '--collector.filesystem',
    '--web.disable-exporter-metrics',
    // Debian enables the systemd collector by default; it would log a dbus error per scrape.
    '--no-collector.systemd',
    `--web.listen-address=127.0.0.1:${port}`,
    `--path.procfs=${paths.procfs}`,
    `--path.sysfs=${paths.sysfs}`,
    `--path.rootfs=${paths.rootfs}`,
    ...extraArgs,
  ]);
  return listening('node_exporter', proc, `http://127.0.0.1:${port}/metrics`);
}

export async function startLibvirtExporter(uri: string): Promise<RunningExporter> {
  const port = await freePort();
  const proc = startProcess('libvirt_exporter', 'prometheus-libvirt-exporter', [`--libvirt.uri=${uri}`, `--web.listen-address=127.0.0.1:${port}`]);
  return listening('libvirt_exporter', proc, `http://127.0.0.1:${port}/metrics`);
}
