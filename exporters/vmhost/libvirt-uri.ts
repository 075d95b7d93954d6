// Which unix socket a libvirt URI is served on, and the name to open on it. headroom speaks
// libvirt's RPC protocol over the local read-only socket itself, so only local URIs work:
// `driver:///system` or `driver+unix:///path[?socket=/path/to/sock]`. Pure: no file access.

export interface LibvirtEndpoint {
  /** Sockets to try in order: the monolithic libvirtd's, then the driver's own daemon's. */
  readonly socketPaths: readonly string[];
  /** The URI as the daemon is asked to open it: no transport, no client-side parameters. */
  readonly name: string;
}

export class LibvirtUriError extends Error {}

const RUN_DIR = '/run/libvirt';
/** Query parameters the libvirt client uses itself and does not send to the daemon. */
const CLIENT_PARAMS = new Set(['socket', 'mode', 'name', 'command', 'netcat', 'keyfile', 'no_verify', 'no_tty', 'pkipath', 'known_hosts', 'sshauth', 'proxy']);

export function libvirtEndpoint(uri: string): LibvirtEndpoint {
  const scheme = /^([a-z0-9]+)(?:\+([a-z0-9]+))?:\/\/(.*)$/i.exec(uri);
  if (!scheme) throw new LibvirtUriError(`"${uri}" is not a libvirt URI (driver:///path, e.g. qemu:///system)`);
  const [, driver, transport, rest] = scheme as unknown as [string, string, string | undefined, string];
  if (transport !== undefined && transport !== 'unix') {
    throw new LibvirtUriError(`transport "${transport}" is not supported: headroom reads the local read-only socket; run it on the VM host with a local URI such as ${driver}:///system`);
  }
  let url: URL;
  try {
    url = new URL(`x://${rest}`);
  } catch {
    throw new LibvirtUriError(`"${uri}" does not parse as a URI`);
  }
  if (url.host !== '') {
    throw new LibvirtUriError(`remote host "${url.host}" is not supported: headroom reads the local read-only socket; run it on the VM host with ${driver}:///system`);
  }
  if (driver === 'test' && transport === undefined) {
    throw new LibvirtUriError('test:/// runs libvirt\'s test driver inside the client, and no daemon serves it: have libvirtd serve it and use test+unix:///path/to/node.xml?socket=...');
  }
  if (url.pathname === '/session') {
    throw new LibvirtUriError(`${driver}:///session is a per-user daemon without a read-only socket: use ${driver}:///system`);
  }
  const socket = url.searchParams.get('socket');
  const sent = new URLSearchParams([...url.searchParams].filter(([key]) => !CLIENT_PARAMS.has(key)));
  const query = sent.size > 0 ? `?${sent.toString()}` : '';
  return {
    socketPaths: socket !== null ? [socket] : [`${RUN_DIR}/libvirt-sock-ro`, `${RUN_DIR}/virt${driver}d-sock-ro`],
    name: `${driver}://${url.pathname}${query}`,
  };
}
