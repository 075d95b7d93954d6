// The few procedures of libvirt's remote protocol (remote_protocol.x) that the vmhost
// collector calls, with their argument encoders and reply decoders. Pure: bytes in, values out.
import { XdrReader, XdrWriter } from './xdr.js';

/** remote_procedure numbers. */
export const Procedure = {
  connectOpen: 1,
  connectClose: 2,
  nodeGetInfo: 6,
  domainGetInfo: 16,
  authList: 66,
  authPolkit: 70,
  connectListAllDomains: 273,
} as const;

/** remote_auth_type. */
export const AuthType = { none: 0, sasl: 1, polkit: 2 } as const;

/** VIR_CONNECT_RO: the read-only connection the read-only socket requires. */
export const CONNECT_READ_ONLY = 1;
/** virErrorNumber VIR_ERR_NO_DOMAIN: the domain went away between the listing and its info. */
export const ERR_NO_DOMAIN = 42;

// Limits from remote_protocol.x: a length over them means a garbled reply, not a big host.
const REMOTE_STRING_MAX = 4_194_304;
const REMOTE_DOMAIN_LIST_MAX = 16_384;
const REMOTE_AUTH_TYPE_LIST_MAX = 20;
const UUID_BYTES = 16;
/** `char model[32]` in remote_node_get_info_ret: rpcgen encodes each char as a 4-byte int. */
const NODE_MODEL_CHARS = 32;

/** remote_nonnull_domain: how the protocol names a domain. */
export interface RemoteDomain {
  readonly name: string;
  readonly uuid: Buffer;
  /** -1 for an inactive (defined, not running) domain. */
  readonly id: number;
}

export interface RemoteNodeInfo {
  readonly model: string;
  readonly memoryKiB: number;
  readonly cpus: number;
  readonly mhz: number;
}

export interface RemoteDomainInfo {
  /** virDomainState. */
  readonly state: number;
  readonly maxMemoryKiB: number;
  readonly memoryKiB: number;
  readonly vcpus: number;
  readonly cpuTimeNs: number;
}

/** remote_error, as a reply with status ERROR carries it. */
export class RemoteError extends Error {
  constructor(
    readonly code: number,
    readonly domain: number,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export function encodeConnectOpen(name: string, flags: number): Buffer {
  return new XdrWriter().optionalString(name).uint(flags).toBuffer();
}

export function encodeListAllDomains(flags: number): Buffer {
  // need_results = 1: the domains themselves, not only their count.
  return new XdrWriter().int(1).uint(flags).toBuffer();
}

export function encodeDomain(dom: RemoteDomain): Buffer {
  return new XdrWriter().string(dom.name).fixedOpaque(dom.uuid).int(dom.id).toBuffer();
}

const readString = (r: XdrReader) => r.string(REMOTE_STRING_MAX);

function readDomain(r: XdrReader): RemoteDomain {
  return { name: readString(r), uuid: Buffer.from(r.fixedOpaque(UUID_BYTES)), id: r.int() };
}

export function decodeAuthList(body: Buffer): number[] {
  const r = new XdrReader(body);
  const types = r.array(REMOTE_AUTH_TYPE_LIST_MAX, (x) => x.int());
  r.end();
  return types;
}

export function decodeAuthPolkit(body: Buffer): boolean {
  const r = new XdrReader(body);
  const complete = r.int() !== 0;
  r.end();
  return complete;
}

export function decodeNodeInfo(body: Buffer): RemoteNodeInfo {
  const r = new XdrReader(body);
  const chars: number[] = [];
  for (let i = 0; i < NODE_MODEL_CHARS; i++) chars.push(r.int() & 0xff);
  const nul = chars.indexOf(0);
  const model = Buffer.from(nul === -1 ? chars : chars.slice(0, nul)).toString('latin1');
  const memoryKiB = r.uhyper();
  const cpus = r.int();
  const mhz = r.int();
  // nodes, sockets, cores, threads: the topology, which `cpus` already sums up.
  for (let i = 0; i < 4; i++) r.int();
  r.end();
  return { model, memoryKiB, cpus, mhz };
}

export function decodeListAllDomains(body: Buffer): RemoteDomain[] {
  const r = new XdrReader(body);
  const domains = r.array(REMOTE_DOMAIN_LIST_MAX, readDomain);
  r.uint(); // ret: the count again
  r.end();
  return domains;
}

export function decodeDomainInfo(body: Buffer): RemoteDomainInfo {
  const r = new XdrReader(body);
  // unsigned char and unsigned short travel as 4-byte unsigned ints.
  const info = { state: r.uint(), maxMemoryKiB: r.uhyper(), memoryKiB: r.uhyper(), vcpus: r.uint(), cpuTimeNs: r.uhyper() };
  r.end();
  return info;
}

export function decodeRemoteError(body: Buffer): RemoteError {
  const r = new XdrReader(body);
  const code = r.int();
  const domain = r.int();
  const message = r.optional(readString);
  // level, dom, str1-3, int1-2, net follow; the message says what an admin needs.
  return new RemoteError(code, domain, message ?? `libvirt error ${code} (no message)`);
}

/** A UUID's 16 bytes as libvirt prints them: 8-4-4-4-12 lower-case hex. */
export function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
