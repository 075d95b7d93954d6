// One persistent read-only connection to a libvirt daemon's unix socket, speaking its RPC
// protocol: no process per refresh. Calls are pipelined (each has a serial, replies are matched
// to it), so a refresh of N domains costs one round trip more than the listing, not N. Anything
// that is not a well-formed reply (socket error, hang, garbage, oversized packet) destroys the
// connection and fails the calls in flight; the next call opens a new one.
import net from 'node:net';
import { MessageStatus, MessageType, PacketAssembler, encodeCall, type Packet } from './rpc-frame.js';
import {
  AuthType,
  CONNECT_READ_ONLY,
  Procedure,
  decodeAuthList,
  decodeAuthPolkit,
  decodeRemoteError,
  encodeConnectOpen,
} from './remote-protocol.js';

export interface RpcClientOptions {
  readonly socketPaths: readonly string[];
  /** The URI the daemon opens, e.g. qemu:///system. */
  readonly name: string;
}

/** Nothing listens where the URI points: libvirt is not on this host (not a failure of headroom). */
export class LibvirtUnavailableError extends Error {}

interface PendingCall {
  readonly resolve: (body: Buffer) => void;
  readonly reject: (err: Error) => void;
}

/** A socket with its calls in flight; unusable once `failure` is set. */
class Connection {
  private serial = 0;
  private readonly pending = new Map<number, PendingCall>();
  private readonly assembler = new PacketAssembler();
  failure: Error | null = null;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      let packets: Packet[];
      try {
        packets = this.assembler.push(chunk);
      } catch (err) {
        this.destroy(err as Error);
        return;
      }
      for (const p of packets) this.deliver(p);
    });
    socket.on('error', (err) => this.destroy(new Error(`libvirt socket: ${err.message}`)));
    socket.on('close', () => this.destroy(new Error('libvirt closed the connection')));
    // An idle connection must not keep the process alive; calls in flight hold their timers.
    socket.unref();
  }

  private deliver(p: Packet): void {
    // Events (type MESSAGE) are only sent to clients that register for them; skip any anyway.
    if (p.header.type !== MessageType.reply) return;
    const call = this.pending.get(p.header.serial);
    if (!call) {
      this.destroy(new Error(`libvirt RPC: reply to serial ${p.header.serial}, which no call has`));
      return;
    }
    this.pending.delete(p.header.serial);
    if (p.header.status === MessageStatus.ok) {
      call.resolve(p.body);
      return;
    }
    try {
      call.reject(decodeRemoteError(p.body));
    } catch (err) {
      this.destroy(new Error(`libvirt RPC: undecodable error reply: ${(err as Error).message}`));
    }
  }

  call(procedure: number, body: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const serial = ++this.serial;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => this.destroy(new Error(`libvirt did not answer within ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(serial, {
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(encodeCall(procedure, serial, body));
    });
  }

  destroy(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.socket.destroy();
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }
}

function connectSocket(socketPath: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connecting to ${socketPath} took over ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export class LibvirtRpcClient {
  private connection: Connection | null = null;
  /** The connection being opened: calls made meanwhile wait for it rather than open another. */
  private opening: Promise<Connection> | null = null;

  constructor(private readonly opts: RpcClientOptions) {}

  /** Calls a procedure on the open connection, opening one first if there is none (or it failed). */
  async call(procedure: number, body: Buffer, timeoutMs: number): Promise<Buffer> {
    const conn = await this.connection_(timeoutMs);
    return conn.call(procedure, body, timeoutMs);
  }

  /** Fails the calls in flight and closes the connection (the next call opens a new one). */
  abort(reason: Error): void {
    this.connection?.destroy(reason);
    this.connection = null;
  }

  async close(): Promise<void> {
    const conn = this.connection;
    this.connection = null;
    if (!conn || conn.failure) return;
    await conn.call(Procedure.connectClose, Buffer.alloc(0), 1000).catch(() => undefined);
    conn.destroy(new Error('connection closed'));
  }

  private connection_(timeoutMs: number): Promise<Connection> {
    if (this.connection && !this.connection.failure) return Promise.resolve(this.connection);
    this.connection = null;
    this.opening ??= this.open(timeoutMs).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async open(timeoutMs: number): Promise<Connection> {
    const conn = new Connection(await this.connectFirst(timeoutMs));
    try {
      await this.authenticate(conn, timeoutMs);
      await conn.call(Procedure.connectOpen, encodeConnectOpen(this.opts.name, CONNECT_READ_ONLY), timeoutMs).catch((err: Error) => {
        throw err.name === 'RemoteError' ? new LibvirtUnavailableError(`libvirt cannot open ${this.opts.name}: ${err.message}`) : err;
      });
    } catch (err) {
      conn.destroy(err as Error);
      throw err;
    }
    this.connection = conn;
    return conn;
  }

  private async connectFirst(timeoutMs: number): Promise<net.Socket> {
    const absent: string[] = [];
    for (const socketPath of this.opts.socketPaths) {
      try {
        return await connectSocket(socketPath, timeoutMs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ECONNREFUSED') {
          absent.push(socketPath);
          continue;
        }
        if (code === 'EACCES') {
          throw new Error(`${socketPath}: permission denied (the read-only socket's group, usually "libvirt", must include headroom's user)`);
        }
        throw new Error(`${socketPath}: ${(err as Error).message}`);
      }
    }
    throw new LibvirtUnavailableError(`no libvirt daemon listening at ${absent.join(' or ')}`);
  }

  private async authenticate(conn: Connection, timeoutMs: number): Promise<void> {
    const types = decodeAuthList(await conn.call(Procedure.authList, Buffer.alloc(0), timeoutMs));
    if (types.length === 0 || types.includes(AuthType.none)) return;
    if (types.includes(AuthType.polkit)) {
      if (!decodeAuthPolkit(await conn.call(Procedure.authPolkit, Buffer.alloc(0), timeoutMs))) {
        throw new Error('polkit did not authorise the read-only connection');
      }
      return;
    }
    throw new Error(`the socket asks for authentication headroom does not do (types ${types.join(', ')}; SASL is 1): set auth_unix_ro = "none" or "polkit" in libvirtd.conf`);
  }
}
