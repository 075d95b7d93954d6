// libvirt's RPC packet framing (virnetprotocol.x): each packet is a 4-byte big-endian length
// (counting itself), a 24-byte header (program, version, procedure, type, serial, status) and
// the XDR body. Pure: encodes calls, and reassembles packets from the chunks a stream delivers.
import { XdrReader, XdrWriter } from './xdr.js';

/** REMOTE_PROGRAM and REMOTE_PROTOCOL_VERSION in remote_protocol.x. */
export const REMOTE_PROGRAM = 0x20008086;
export const REMOTE_PROTOCOL_VERSION = 1;

/** virNetMessageType. */
export const MessageType = { call: 0, reply: 1, message: 2, stream: 3 } as const;
/** virNetMessageStatus. */
export const MessageStatus = { ok: 0, error: 1, continue: 2 } as const;

const LENGTH_BYTES = 4;
const HEADER_BYTES = 24;
/** VIR_NET_MESSAGE_MAX: libvirt itself refuses larger packets. */
export const MAX_PACKET_BYTES = 32 * 1024 * 1024;

export interface PacketHeader {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly type: number;
  readonly serial: number;
  readonly status: number;
}

export interface Packet {
  readonly header: PacketHeader;
  readonly body: Buffer;
}

export class FrameError extends Error {
  constructor(message: string) {
    super(`libvirt RPC: ${message}`);
    this.name = 'FrameError';
  }
}

export function encodeCall(procedure: number, serial: number, body: Buffer): Buffer {
  const header = new XdrWriter()
    .uint(LENGTH_BYTES + HEADER_BYTES + body.length)
    .uint(REMOTE_PROGRAM)
    .uint(REMOTE_PROTOCOL_VERSION)
    .int(procedure)
    .int(MessageType.call)
    .uint(serial)
    .int(MessageStatus.ok)
    .toBuffer();
  return Buffer.concat([header, body]);
}

/** Collects stream chunks and hands out whole packets; throws FrameError on a length that cannot be libvirt's. */
export class PacketAssembler {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Packet[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: Packet[] = [];
    while (this.pending.length >= LENGTH_BYTES) {
      const length = this.pending.readUInt32BE(0);
      if (length < LENGTH_BYTES + HEADER_BYTES) throw new FrameError(`packet length ${length} is shorter than a header`);
      if (length > MAX_PACKET_BYTES) throw new FrameError(`packet length ${length} is over libvirt's limit of ${MAX_PACKET_BYTES} bytes`);
      if (this.pending.length < length) break;
      packets.push(decodePacket(this.pending.subarray(LENGTH_BYTES, length)));
      this.pending = this.pending.subarray(length);
    }
    return packets;
  }
}

function decodePacket(buf: Buffer): Packet {
  const r = new XdrReader(buf);
  const header: PacketHeader = { program: r.uint(), version: r.uint(), procedure: r.int(), type: r.int(), serial: r.uint(), status: r.int() };
  if (header.program !== REMOTE_PROGRAM) throw new FrameError(`packet for program 0x${header.program.toString(16)}, not libvirt's remote program`);
  if (header.version !== REMOTE_PROTOCOL_VERSION) throw new FrameError(`protocol version ${header.version}, expected ${REMOTE_PROTOCOL_VERSION}`);
  return { header, body: buf.subarray(HEADER_BYTES) };
}
