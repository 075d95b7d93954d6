// Pure parsers for what `virsh` prints (run with LC_ALL=C, so the English labels are stable):
// nodeinfo, `list --all --uuid` and a batch of dominfo blocks, as its shell prints them when
// it reads the commands from stdin.

export class VirshOutputError extends Error {
  constructor(command: string, problem: string) {
    super(`virsh ${command}: ${problem}`);
    this.name = 'VirshOutputError';
  }
}

export interface NodeInfo {
  readonly cpus: number;
  readonly memoryBytes: number;
}

export interface DomainInfo {
  readonly name: string;
  readonly uuid: string;
  /** Normalised state: one of domainStates, or the reported text squeezed to [a-z0-9_]. */
  readonly state: string;
  /** Libvirt gives an id only to active domains (a qemu process exists); `-` when inactive. */
  readonly active: boolean;
  /** Current vCPU count. */
  readonly vcpus: number;
  /** Current memory (balloon) in bytes. */
  readonly memoryBytes: number;
}

/** libvirt's virDomainState names, lower case, as label values. */
export const domainStates = ['running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended', 'nostate'] as const;

// virsh's English words for each state (virshDomainStateToString).
const STATE_WORDS: Record<string, string> = {
  'no state': 'nostate',
  running: 'running',
  idle: 'blocked',
  blocked: 'blocked',
  paused: 'paused',
  'in shutdown': 'shutdown',
  'shut off': 'shutoff',
  crashed: 'crashed',
  pmsuspended: 'pmsuspended',
};

export function normaliseState(text: string): string {
  const word = text.trim().toLowerCase();
  return STATE_WORDS[word] ?? (word.replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'unknown');
}

/** `Key:   value` lines as a map (value after the first colon, trimmed). */
function fields(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return out;
}

function count(command: string, key: string, value: string | undefined): number {
  if (value === undefined) throw new VirshOutputError(command, `no "${key}" line`);
  if (!/^\d+$/.test(value)) throw new VirshOutputError(command, `"${key}" is ${JSON.stringify(value)}, expected a whole number`);
  return Number(value);
}

/** `123456 KiB` → bytes. virsh prints memory in KiB in nodeinfo and dominfo. */
function kibibytes(command: string, key: string, value: string | undefined): number {
  if (value === undefined) throw new VirshOutputError(command, `no "${key}" line`);
  const m = /^(\d+)\s*(KiB|kB|k)?$/i.exec(value);
  if (!m) throw new VirshOutputError(command, `"${key}" is ${JSON.stringify(value)}, expected a size in KiB`);
  return Number(m[1]) * 1024;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

/**
 * The output of `nodeinfo ; list --all --uuid` run in one virsh process: nodeinfo's
 * `Key: value` lines, then one UUID per line.
 */
export function parseNodeinfoAndUuids(text: string): { node: NodeInfo; uuids: string[] } {
  const lines = text.split('\n').map((l) => l.trim());
  const uuids = lines.filter(isUuid).map((u) => u.toLowerCase());
  const info = fields(lines.filter((l) => !isUuid(l)));
  const node = {
    cpus: count('nodeinfo', 'CPU(s)', info.get('CPU(s)')),
    memoryBytes: kibibytes('nodeinfo', 'Memory size', info.get('Memory size')),
  };
  return { node, uuids: [...new Set(uuids)] };
}

/**
 * The output of `dominfo A ; dominfo B ; ...`: one block per domain, each starting with its
 * `Id:` line. A domain that vanished between the listing and dominfo prints nothing on
 * stdout (only an error on stderr), so it is simply missing here.
 */
export function parseDominfoBatch(text: string): DomainInfo[] {
  const blocks: string[][] = [];
  for (const line of text.split('\n')) {
    if (/^Id:/.test(line)) blocks.push([]);
    blocks[blocks.length - 1]?.push(line);
  }
  return blocks.map((block) => {
    const f = fields(block);
    const name = f.get('Name');
    const uuid = f.get('UUID');
    const state = f.get('State');
    if (!name) throw new VirshOutputError('dominfo', 'a block has no "Name" line');
    const what = `dominfo (domain ${JSON.stringify(name)})`;
    if (!uuid || !isUuid(uuid)) throw new VirshOutputError(what, `"UUID" is ${JSON.stringify(uuid ?? '')}`);
    if (state === undefined) throw new VirshOutputError(what, 'no "State" line');
    const id = f.get('Id') ?? '-';
    // "Used memory" is the current balloon; drivers that cannot tell omit it: fall back to the maximum.
    const memoryKey = f.has('Used memory') ? 'Used memory' : 'Max memory';
    return {
      name,
      uuid: uuid.toLowerCase(),
      state: normaliseState(state),
      active: /^\d+$/.test(id),
      vcpus: count(what, 'CPU(s)', f.get('CPU(s)')),
      memoryBytes: kibibytes(what, memoryKey, f.get(memoryKey)),
    };
  });
}

// The shell's prompt ("virsh > " read-only or unprivileged, "virsh # " otherwise) and the
// command it echoes after it when stdin is not a terminal.
const PROMPT_LINE = /virsh [#>] [^\n]*(?:\n|$)/g;

/**
 * Splits what virsh's shell printed for `nodeinfo`, `list --all --uuid`, `echo MARKER`, then
 * the dominfo commands, at the marker's output (a line starting with it; its echoed command
 * has `echo ` before it), with prompt lines removed. `afterMarker` is null when virsh stopped
 * before printing the marker.
 */
export function splitVirshSession(text: string, marker: string): { beforeMarker: string; afterMarker: string | null } {
  const at = text.search(new RegExp(`(?:^|\\n)${marker}`));
  if (at < 0) return { beforeMarker: text.replace(PROMPT_LINE, ''), afterMarker: null };
  const markerEnd = text.indexOf(marker, at) + marker.length;
  return { beforeMarker: text.slice(0, at).replace(PROMPT_LINE, ''), afterMarker: text.slice(markerEnd).replace(PROMPT_LINE, '') };
}
