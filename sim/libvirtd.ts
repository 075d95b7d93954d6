// A test-owned libvirtd serving libvirt's test driver (node.xml files, see sim/libvirt.ts) on
// its own read-only socket: what headroom reads over libvirt's RPC protocol, and what virsh and
// prometheus-libvirt-exporter read too (test+unix:///abs/node.xml?socket=...). Its own config,
// socket directory and pid file; an empty driver directory, so that no hypervisor driver
// (qemu, which wants a libvirt-qemu user) is loaded: the test driver is built in. Stopped by PID.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './net.js';
import { startProcess, type ManagedProcess } from './processes.js';

export const LIBVIRTD = '/usr/sbin/libvirtd';

export interface TestLibvirtd {
  /** The read-only socket. */
  readonly socketPath: string;
  readonly process: ManagedProcess;
  /** The URI of a test-driver host file served by this daemon. */
  uri(nodeXmlPath: string): string;
  stop(): Promise<void>;
}

/** Starts libvirtd with everything under dir; resolves once its read-only socket is there. */
export async function startLibvirtd(dir: string): Promise<TestLibvirtd> {
  const runDir = path.join(dir, 'run');
  const noDrivers = path.join(dir, 'no-drivers');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(noDrivers, { recursive: true });
  const config = path.join(dir, 'libvirtd.conf');
  writeFileSync(
    config,
    [
      `unix_sock_dir = "${runDir}"`,
      // Anyone may connect read-only, as the libvirt group may on a real host; no polkit here.
      'unix_sock_ro_perms = "0777"',
      'unix_sock_rw_perms = "0700"',
      'auth_unix_ro = "none"',
      'auth_unix_rw = "none"',
      '',
    ].join('\n'),
  );
  const socketPath = path.join(runDir, 'libvirt-sock-ro');
  const proc = startProcess('libvirtd', LIBVIRTD, ['--config', config, '--pid-file', path.join(runDir, 'libvirtd.pid')], {
    logFile: path.join(dir, 'libvirtd.log'),
    env: { LIBVIRT_DRIVER_DIR: noDrivers },
  });
  try {
    await waitFor(() => {
      if (proc.child.exitCode !== null) throw new Error(`libvirtd exited: ${proc.output()}`);
      return existsSync(socketPath) ? true : undefined;
    }, `libvirtd's socket ${socketPath}`, 20_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    socketPath,
    process: proc,
    uri: (nodeXmlPath) => `test+unix://${nodeXmlPath}?socket=${socketPath}`,
    stop: () => proc.stop(),
  };
}
