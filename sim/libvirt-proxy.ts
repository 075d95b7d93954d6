// A unix-socket proxy in front of a libvirtd socket that can misbehave on demand: pass the
// bytes through, swallow them (a hung daemon), answer with garbage, or announce a packet larger
// than libvirt allows. For the fault tests of headroom's libvirt RPC client.
import { rmSync } from 'node:fs';
import net from 'node:net';

export type ProxyMode = 'pass' | 'hang' | 'garbage' | 'oversized';

export interface LibvirtProxy {
  readonly socketPath: string;
  /** Applies to connections opened from now on, and to the next bytes of open ones. */
  setMode(mode: ProxyMode): void;
  /** Connections accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

/** A packet length of 64 MiB: twice libvirt's VIR_NET_MESSAGE_MAX. */
const OVERSIZED = Buffer.from([0x04, 0x00, 0x00, 0x00]);
/** A plausible length (32 bytes), then text where libvirt's header belongs. */
const GARBAGE = Buffer.concat([Buffer.from([0, 0, 0, 32]), Buffer.from('this is not a libvirt reply!')]);

export async function startLibvirtProxy(socketPath: string, upstreamPath: string): Promise<LibvirtProxy> {
  let mode: ProxyMode = 'pass';
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    sockets.add(client);
    const upstream = net.connect(upstreamPath);
    sockets.add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.on('data', (chunk) => {
      if (mode === 'pass') upstream.write(chunk);
      else if (mode === 'garbage') client.write(GARBAGE);
      else if (mode === 'oversized') client.write(OVERSIZED);
      // hang: swallow the call, answer nothing.
    });
    upstream.on('data', (chunk) => {
      if (mode === 'pass') client.write(chunk);
    });
  });
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    setMode: (m) => {
      mode = m;
    },
    connections: () => accepted,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
