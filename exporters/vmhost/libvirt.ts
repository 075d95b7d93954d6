// Reads libvirt through one virsh process per refresh, however many domains there are: its
// shell reads `nodeinfo`, `list --all --uuid` and an `echo` marker from stdin; once the
// marker comes back, every listed domain's dominfo follows on the same connection. Starting
// virsh (and opening the connection) is most of a refresh's cost, so this saves one of the two
// of a listing process plus a dominfo process, and no argument-length limit applies.
// Read-only connection (-r), English output (LC_ALL=C), the process bounded by the timeout.
import type { Writable } from 'node:stream';
import { RunError, runProgram } from '../../src/exec.js';
import { parseDominfoBatch, parseNodeinfoAndUuids, splitVirshSession, type DomainInfo, type NodeInfo } from './virsh-output.js';

export type LibvirtReading =
  | { readonly available: true; readonly node: NodeInfo; readonly domains: readonly DomainInfo[] }
  /** No libvirt on this host: virsh is not installed, or no hypervisor answers at the URI. */
  | { readonly available: false; readonly reason: string };

export interface VirshOptions {
  /** The virsh program: a name looked up on PATH, or a path. */
  readonly program: string;
  readonly uri: string;
  /** For the virsh process (one per refresh). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

// virsh prints these for a domain undefined between the listing and its dominfo: not a failure.
const VANISHED_DOMAIN = /failed to get domain|domain not found|no domain with matching/i;
// What virsh says when nothing answers at the URI (no daemon, no socket, unreachable host).
const NO_HYPERVISOR = /failed to connect to the hypervisor/i;

/** Echoed by virsh between the listing and the dominfo blocks: what it prints is known to follow the listing. */
const END_OF_LISTING = 'headroom-end-of-listing';

export async function readLibvirt(opts: VirshOptions): Promise<LibvirtReading> {
  let seen = '';
  let listing: { node: NodeInfo; uuids: string[] } | null = null;
  let listingError: unknown = null;
  // Called with each chunk of virsh's stdout until the marker shows that the listing is complete.
  const askDominfo = (chunk: Buffer, stdin: Writable) => {
    seen += chunk.toString('latin1');
    const { beforeMarker, afterMarker } = splitVirshSession(seen, END_OF_LISTING);
    if (afterMarker === null) return;
    try {
      listing = parseNodeinfoAndUuids(beforeMarker);
      stdin.end(listing.uuids.map((uuid) => `dominfo ${uuid}\n`).join(''));
    } catch (err) {
      listingError = err;
      stdin.end();
    }
  };
  let result;
  try {
    result = await runProgram(opts.program, ['-q', '-r', '-c', opts.uri], {
      timeoutMs: opts.timeoutMs,
      input: `nodeinfo\nlist --all --uuid\necho ${END_OF_LISTING}\n`,
      interact: askDominfo,
      ...(opts.signal ? { signal: opts.signal } : {}),
      // Stable English labels and state names whatever the host's locale.
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
  } catch (err) {
    if (err instanceof RunError && err.reason === 'not-found') {
      return { available: false, reason: `${opts.program} is not installed (not found on PATH)` };
    }
    if (err instanceof RunError && err.reason === 'exit' && NO_HYPERVISOR.test(err.result?.stderr ?? '')) {
      return { available: false, reason: `no hypervisor at ${opts.uri}: ${err.message}` };
    }
    throw new Error(`libvirt ${opts.uri}: virsh: ${err instanceof Error ? err.message : String(err)}`);
  }
  // virsh's shell exits 0 whatever its commands did: what went wrong is on stderr.
  const problem = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !VANISHED_DOMAIN.test(l));
  if (problem) throw new Error(`libvirt ${opts.uri}: virsh: ${problem.slice(0, 300)}`);
  const { beforeMarker, afterMarker } = splitVirshSession(result.stdout, END_OF_LISTING);
  if (listingError !== null) throw contextError(opts, listingError);
  // Without the marker, virsh stopped early: say what is wrong with what it printed, if anything.
  const { node } = listing ?? parseWithContext(opts, () => parseNodeinfoAndUuids(beforeMarker));
  if (afterMarker === null) throw new Error(`libvirt ${opts.uri}: virsh exited before listing the domains`);
  const domains = parseWithContext(opts, () => parseDominfoBatch(afterMarker));
  return { available: true, node, domains };
}

function contextError(opts: VirshOptions, err: unknown): Error {
  return new Error(`libvirt ${opts.uri}: ${err instanceof Error ? err.message : String(err)}`);
}

function parseWithContext<T>(opts: VirshOptions, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw contextError(opts, err);
  }
}
