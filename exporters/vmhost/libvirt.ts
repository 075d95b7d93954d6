// Reads libvirt over its RPC protocol on the local read-only socket (rpc-client.ts): the node's
// CPUs and memory, every domain, then every domain's info, all pipelined on one persistent
// connection. No process per refresh; a refresh costs about three round trips.
import { errorMessage } from '../../src/errors.js';
import { libvirtEndpoint } from './libvirt-uri.js';
import {
  ERR_NO_DOMAIN,
  Procedure,
  RemoteError,
  decodeDomainInfo,
  decodeListAllDomains,
  decodeNodeInfo,
  encodeDomain,
  encodeListAllDomains,
  formatUuid,
} from './remote-protocol.js';
import { LibvirtRpcClient, LibvirtUnavailableError } from './rpc-client.js';

export interface NodeInfo {
  readonly cpus: number;
  readonly memoryBytes: number;
}

export interface DomainInfo {
  readonly name: string;
  readonly uuid: string;
  /** One of domainStates, or `state_<n>` for a number libvirt added later. */
  readonly state: string;
  /** Libvirt gives an id only to active domains (a qemu process exists). */
  readonly active: boolean;
  /** Current vCPU count. */
  readonly vcpus: number;
  /** Current memory (balloon) in bytes. */
  readonly memoryBytes: number;
}

/** libvirt's virDomainState names, lower case, as label values. */
export const domainStates = ['running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended', 'nostate'] as const;

/** virDomainState numbers to their names. */
const STATE_NAMES: Record<number, string> = { 0: 'nostate', 1: 'running', 2: 'blocked', 3: 'paused', 4: 'shutdown', 5: 'shutoff', 6: 'crashed', 7: 'pmsuspended' };

export type LibvirtReading =
  | { readonly available: true; readonly node: NodeInfo; readonly domains: readonly DomainInfo[] }
  /** No libvirt on this host: nothing listens on the socket, or the daemon cannot open the URI. */
  | { readonly available: false; readonly reason: string };

export interface LibvirtReader {
  /** One refresh, bounded by timeoutMs for each round trip; the signal aborts it. */
  read(opts: { timeoutMs: number; signal?: AbortSignal }): Promise<LibvirtReading>;
  close(): Promise<void>;
}

export function createLibvirtReader(uri: string): LibvirtReader {
  const client = new LibvirtRpcClient(libvirtEndpoint(uri));
  return {
    async read({ timeoutMs, signal }) {
      const onAbort = () => client.abort(new Error('refresh aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await readOnce(client, timeoutMs);
      } catch (err) {
        if (err instanceof LibvirtUnavailableError) return { available: false, reason: err.message };
        throw new Error(`libvirt ${uri}: ${errorMessage(err)}`);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    close: () => client.close(),
  };
}

async function readOnce(client: LibvirtRpcClient, timeoutMs: number): Promise<LibvirtReading> {
  const [nodeBody, listBody] = await Promise.all([
    client.call(Procedure.nodeGetInfo, Buffer.alloc(0), timeoutMs),
    client.call(Procedure.connectListAllDomains, encodeListAllDomains(0), timeoutMs),
  ]);
  const node = decodeNodeInfo(nodeBody);
  const listed = decodeListAllDomains(listBody);
  const infos = await Promise.all(
    listed.map((dom) =>
      client.call(Procedure.domainGetInfo, encodeDomain(dom), timeoutMs).then(decodeDomainInfo, (err: unknown) => {
        // Undefined between the listing and its info: gone, not a failure.
        if (err instanceof RemoteError && err.code === ERR_NO_DOMAIN) return null;
        throw err;
      }),
    ),
  );
  const domains: DomainInfo[] = [];
  listed.forEach((dom, i) => {
    const info = infos[i];
    if (!info) return;
    domains.push({
      name: dom.name,
      uuid: formatUuid(dom.uuid),
      state: STATE_NAMES[info.state] ?? `state_${info.state}`,
      active: dom.id !== -1,
      vcpus: info.vcpus,
      memoryBytes: info.memoryKiB * 1024,
    });
  });
  return { available: true, node: { cpus: node.cpus, memoryBytes: node.memoryKiB * 1024 }, domains };
}
