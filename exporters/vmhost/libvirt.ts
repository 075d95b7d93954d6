// Reads libvirt through virsh in two processes per refresh, however many domains there are:
// `nodeinfo ; list --all --uuid`, then every domain's dominfo in one `;`-separated batch.
// Read-only connection (-r), English output (LC_ALL=C), each call bounded by the timeout.
import { RunError, runProgram } from '../../src/exec.js';
import { parseDominfoBatch, parseNodeinfoAndUuids, type DomainInfo, type NodeInfo } from './virsh-output.js';

export type LibvirtReading =
  | { readonly available: true; readonly node: NodeInfo; readonly domains: readonly DomainInfo[] }
  /** No libvirt on this host: virsh is not installed, or no hypervisor answers at the URI. */
  | { readonly available: false; readonly reason: string };

export interface VirshOptions {
  /** The virsh program: a name looked up on PATH, or a path. */
  readonly program: string;
  readonly uri: string;
  /** Per virsh call. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * Domains per dominfo batch. The batch is one argument, and Linux caps one argument at
 * 128 KiB (MAX_ARG_STRLEN); `dominfo <uuid> ; ` is 47 bytes, so 1000 stay far below it.
 */
export const DOMAINS_PER_CALL = 1000;

// virsh prints these for a domain undefined between the listing and its dominfo: not a failure.
const VANISHED_DOMAIN = /failed to get domain|domain not found|no domain with matching/i;
// What virsh says when nothing answers at the URI (no daemon, no socket, unreachable host).
const NO_HYPERVISOR = /failed to connect to the hypervisor/i;

class LibvirtUnavailable extends Error {}

async function virsh(opts: VirshOptions, commands: readonly string[], allowNonZero: boolean) {
  try {
    return await runProgram(opts.program, ['-q', '-r', '-c', opts.uri, commands.join(' ; ')], {
      timeoutMs: opts.timeoutMs,
      allowNonZero,
      ...(opts.signal ? { signal: opts.signal } : {}),
      // Stable English labels and state names whatever the host's locale.
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
  } catch (err) {
    if (err instanceof RunError && err.reason === 'not-found') {
      throw new LibvirtUnavailable(`${opts.program} is not installed (not found on PATH)`);
    }
    if (err instanceof RunError && err.reason === 'exit' && NO_HYPERVISOR.test(err.result?.stderr ?? '')) {
      throw new LibvirtUnavailable(`no hypervisor at ${opts.uri}: ${err.message}`);
    }
    const what = err instanceof Error ? err.message : String(err);
    throw new Error(`libvirt ${opts.uri}: ${commands[0]?.split(' ')[0] ?? 'virsh'}: ${what}`);
  }
}

export async function readLibvirt(opts: VirshOptions): Promise<LibvirtReading> {
  let listing;
  try {
    listing = await virsh(opts, ['nodeinfo', 'list --all --uuid'], false);
  } catch (err) {
    if (err instanceof LibvirtUnavailable) return { available: false, reason: err.message };
    throw err;
  }
  const { node, uuids } = parseWithContext(opts, () => parseNodeinfoAndUuids(listing.stdout));

  const domains: DomainInfo[] = [];
  for (let i = 0; i < uuids.length; i += DOMAINS_PER_CALL) {
    const batch = uuids.slice(i, i + DOMAINS_PER_CALL).map((uuid) => `dominfo ${uuid}`);
    // virsh's exit status is that of the last command: a vanished last domain makes it 1.
    const result = await virsh(opts, batch, true);
    const problem = result.stderr
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !VANISHED_DOMAIN.test(l));
    if (problem) throw new Error(`libvirt ${opts.uri}: dominfo: ${problem.slice(0, 300)}`);
    domains.push(...parseWithContext(opts, () => parseDominfoBatch(result.stdout)));
  }
  return { available: true, node, domains };
}

function parseWithContext<T>(opts: VirshOptions, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new Error(`libvirt ${opts.uri}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
