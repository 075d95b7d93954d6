// VM hosts: a rebalancing proposal that moves libvirt domains off stretched hosts.
//
// Objective, compared in this order: the memory still over the target (the sum over hosts of
// allocated memory above target × host memory), then the moves that send a domain back to a
// host it left recently, then the number of moves, then the memory moved, and only then the
// highest memory and vCPU overcommit. So an estate within the target gets no moves, an estate
// over it gets the fewest moves (then least memory moved) that bring it within, and balance
// only breaks ties. Admins apply the proposal and run the planner again the next day: an
// objective that always lowers the peak would keep shuffling, undoing yesterday's moves.
// Search: exact branch and bound over the movable domains (largest first; each stays or moves
// to another host), bounded by max_moves, pruning any branch whose partial score (every term
// only grows as domains are placed) already cannot beat the best plan. When it explores more than `nodeLimit` assignments it stops and a
// greedy search with improvement (best single move, repeated) takes over; the proposal says
// which one produced it.
import { formatBytes, formatRatio } from './format.js';
import { hostName } from './series.js';

export interface VmHostInput {
  readonly host: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  /** Load that cannot move: unmanaged qemu processes (OBS build VMs). */
  readonly fixedVcpus: number;
  readonly fixedMemoryBytes: number;
}

export interface DomainInput {
  readonly host: string;
  readonly name: string;
  readonly vcpus: number;
  readonly memoryBytes: number;
  /** Shut-off domains allocate nothing and are not moved. */
  readonly active: boolean;
}

export interface HostRatios {
  readonly host: string;
  readonly memoryRatio: number;
  readonly vcpuRatio: number;
  readonly memoryAllocatedBytes: number;
  readonly vcpusAllocated: number;
}

export interface Move {
  readonly domain: string;
  readonly from: string;
  readonly to: string;
  readonly memoryBytes: number;
  readonly vcpus: number;
  /** The domain ran on `to` within the move-back guard: allowed only because nothing else brings the estate within target. */
  readonly movesBack: boolean;
  /** The figures that decided the move, for the report. */
  readonly why: string;
}

export interface RebalanceProposal {
  readonly method: 'exact' | 'greedy';
  /** Memory overcommit every host should stay within. */
  readonly target: number;
  /** Allocated memory above target × host memory, summed over hosts: before and after the moves. */
  readonly overTargetBefore: number;
  readonly overTargetAfter: number;
  readonly exploredNodes: number;
  readonly maxMoves: number;
  readonly moves: readonly Move[];
  readonly memoryMovedBytes: number;
  readonly before: readonly HostRatios[];
  readonly after: readonly HostRatios[];
  readonly maxBefore: { readonly memory: number; readonly vcpu: number };
  readonly maxAfter: { readonly memory: number; readonly vcpu: number };
  readonly pinned: readonly string[];
  readonly notes: readonly string[];
}

export interface RebalanceOptions {
  readonly maxMoves: number;
  /** Domain name → host (instance or its host name) it must stay on. */
  readonly pinned: Readonly<Record<string, string>>;
  readonly nodeLimit?: number;
  /** Memory overcommit every host should stay within (1.0: no more allocated than the host has). */
  readonly target: number;
  /** Domain name → hosts (instance labels) it ran on recently, other than where it runs now. */
  readonly recentHosts?: Readonly<Record<string, readonly string[]>>;
}

type Score = [overTarget: number, movesBack: number, moves: number, moved: number, memory: number, vcpu: number];
/** Rounding allowed per term: bytes (over target, moved) to a byte, counts exactly, ratios to 1e-9. */
const TOLERANCE: Score = [1, 0, 0, 1, 1e-9, 1e-9];

/** -1 if a is better, 1 if worse, 0 if equal within rounding. */
function compare(a: Score, b: Score): number {
  for (let i = 0; i < a.length; i++) {
    const tol = TOLERANCE[i]!;
    if (a[i]! < b[i]! - tol) return -1;
    if (a[i]! > b[i]! + tol) return 1;
  }
  return 0;
}

function ratios(hosts: readonly VmHostInput[], mem: Float64Array, vcpu: Float64Array): HostRatios[] {
  return hosts.map((h, i) => ({
    host: h.host,
    memoryRatio: h.memoryBytes > 0 ? mem[i]! / h.memoryBytes : 0,
    vcpuRatio: h.cpus > 0 ? vcpu[i]! / h.cpus : 0,
    memoryAllocatedBytes: mem[i]!,
    vcpusAllocated: vcpu[i]!,
  }));
}

export function proposeRebalance(hosts: readonly VmHostInput[], domains: readonly DomainInput[], opts: RebalanceOptions): RebalanceProposal {
  const nodeLimit = opts.nodeLimit ?? 500_000;
  const notes: string[] = [];
  const index = new Map(hosts.map((h, i) => [h.host, i]));
  const pinHost = (name: string): number | undefined => {
    const target = opts.pinned[name];
    if (target === undefined) return undefined;
    const i = hosts.findIndex((h) => h.host === target || hostName(h.host) === target);
    if (i < 0) notes.push(`${name} is pinned to ${target}, which is not a VM host in the data: it stays where it is`);
    return i < 0 ? -1 : i;
  };
  /** Memory a host may allocate within the target. */
  const allowance = hosts.map((h) => opts.target * h.memoryBytes);

  // Fixed load: unmanaged processes, and domains that cannot move.
  const baseMem = new Float64Array(hosts.length);
  const baseVcpu = new Float64Array(hosts.length);
  hosts.forEach((h, i) => {
    baseMem[i] = h.fixedMemoryBytes;
    baseVcpu[i] = h.fixedVcpus;
  });
  interface Movable { name: string; from: number; vcpus: number; mem: number; allowed: number[]; back: Set<number> }
  const movable: Movable[] = [];
  const pinnedNames: string[] = [];
  const currentMem = Float64Array.from(baseMem);
  const currentVcpu = Float64Array.from(baseVcpu);
  for (const d of domains) {
    const from = index.get(d.host);
    if (from === undefined || !d.active) continue;
    currentMem[from] = currentMem[from]! + d.memoryBytes;
    currentVcpu[from] = currentVcpu[from]! + d.vcpus;
    const pin = pinHost(d.name);
    if (pin !== undefined) pinnedNames.push(d.name);
    const back = new Set((opts.recentHosts?.[d.name] ?? []).map((h) => index.get(h)).filter((i): i is number => i !== undefined && i !== from));
    if (pin === undefined) {
      // Current host first: staying is the cheapest choice and fills the first plan found.
      movable.push({ name: d.name, from, vcpus: d.vcpus, mem: d.memoryBytes, allowed: [from, ...hosts.map((_, i) => i).filter((i) => i !== from)], back });
    } else if (pin >= 0 && pin !== from) {
      movable.push({ name: d.name, from, vcpus: d.vcpus, mem: d.memoryBytes, allowed: [pin], back: new Set() });
    } else {
      baseMem[from] = baseMem[from]! + d.memoryBytes;
      baseVcpu[from] = baseVcpu[from]! + d.vcpus;
    }
  }
  movable.sort((a, b) => b.mem - a.mem || b.vcpus - a.vcpus || a.name.localeCompare(b.name));

  /** The estate's terms that depend on where memory sits: over-target bytes, highest memory and vCPU ratio. */
  const loadTerms = (mem: Float64Array, vcpu: Float64Array): [number, number, number] => {
    let over = 0;
    let m = 0;
    let v = 0;
    hosts.forEach((h, i) => {
      over += Math.max(0, mem[i]! - allowance[i]!);
      if (h.memoryBytes > 0) m = Math.max(m, mem[i]! / h.memoryBytes);
      if (h.cpus > 0) v = Math.max(v, vcpu[i]! / h.cpus);
    });
    return [over, m, v];
  };
  const score = (mem: Float64Array, vcpu: Float64Array, back: number, moves: number, moved: number): Score => {
    const [over, m, v] = loadTerms(mem, vcpu);
    return [over, back, moves, moved, m, v];
  };

  // The plan to beat: nothing moves, unless a pin forces a move (then that move is made).
  const forced = movable.map((d) => (d.allowed.includes(d.from) ? d.from : d.allowed[0]!));
  const scoreOf = (assign: readonly number[]): Score => {
    const mem = Float64Array.from(baseMem);
    const vcpu = Float64Array.from(baseVcpu);
    let back = 0;
    let moves = 0;
    let moved = 0;
    movable.forEach((d, k) => {
      const h = assign[k]!;
      mem[h] = mem[h]! + d.mem;
      vcpu[h] = vcpu[h]! + d.vcpus;
      if (h !== d.from) {
        moves++;
        moved += d.mem;
        if (d.back.has(h)) back++;
      }
    });
    return score(mem, vcpu, back, moves, moved);
  };
  let best = { assign: forced, score: scoreOf(forced) };
  const maxMoves = Math.max(opts.maxMoves, forced.filter((h, k) => h !== movable[k]!.from).length);

  let nodes = 0;
  let exhausted = false;
  const mem = Float64Array.from(baseMem);
  const vcpu = Float64Array.from(baseVcpu);
  const assign: number[] = [];
  const search = (k: number, back: number, moves: number, moved: number): void => {
    if (exhausted) return;
    if (++nodes > nodeLimit) {
      exhausted = true;
      return;
    }
    // Every term only grows as domains are placed: the partial score bounds every completion.
    const bound = score(mem, vcpu, back, moves, moved);
    if (compare(bound, best.score) >= 0) return;
    if (k === movable.length) {
      best = { assign: [...assign], score: bound };
      return;
    }
    const d = movable[k]!;
    for (const h of d.allowed) {
      const isMove = h !== d.from;
      if (isMove && moves >= maxMoves) continue;
      mem[h] = mem[h]! + d.mem;
      vcpu[h] = vcpu[h]! + d.vcpus;
      assign.push(h);
      search(k + 1, back + (isMove && d.back.has(h) ? 1 : 0), moves + (isMove ? 1 : 0), moved + (isMove ? d.mem : 0));
      assign.pop();
      mem[h] = mem[h]! - d.mem;
      vcpu[h] = vcpu[h]! - d.vcpus;
    }
  };
  search(0, 0, 0, 0);

  let method: RebalanceProposal['method'] = 'exact';
  if (exhausted) {
    method = 'greedy';
    notes.push(`exact search stopped after ${nodeLimit} nodes; the proposal comes from a greedy search (best single move, repeated while it improves)`);
    let current = [...forced];
    let currentScore = scoreOf(current);
    for (;;) {
      let step: { assign: number[]; score: Score } | null = null;
      for (let k = 0; k < movable.length; k++) {
        for (const h of movable[k]!.allowed) {
          if (h === current[k]) continue;
          const trial = [...current];
          trial[k] = h;
          const s = scoreOf(trial);
          if (s[2] > maxMoves) continue;
          // Greedy may also undo a move: compare as the objective does.
          if (compare(s, step?.score ?? currentScore) < 0) step = { assign: trial, score: s };
        }
      }
      if (!step) break;
      current = step.assign;
      currentScore = step.score;
    }
    if (compare(currentScore, best.score) < 0) best = { assign: current, score: currentScore };
  }

  const afterMem = Float64Array.from(baseMem);
  const afterVcpu = Float64Array.from(baseVcpu);
  const chosen: Array<{ d: Movable; to: number }> = [];
  movable.forEach((d, k) => {
    const h = best.assign[k]!;
    afterMem[h] = afterMem[h]! + d.mem;
    afterVcpu[h] = afterVcpu[h]! + d.vcpus;
    if (h !== d.from) chosen.push({ d, to: h });
  });
  const ratioOf = (m: Float64Array, i: number) => (hosts[i]!.memoryBytes > 0 ? m[i]! / hosts[i]!.memoryBytes : 0);
  const moves: Move[] = chosen.map(({ d, to }) => {
    const from = hosts[d.from]!.host;
    const dest = hosts[to]!.host;
    const overFrom = currentMem[d.from]! - allowance[d.from]!;
    const reason =
      pinnedNames.includes(d.name) ? `pinned to ${dest}` :
      overFrom > 0 ? `${from} held ${formatRatio(ratioOf(currentMem, d.from))} × its memory, over the target ${formatRatio(opts.target)} by ${formatBytes(overFrom)}` :
      `makes room on ${from} for the estate to fit the target`;
    return {
      domain: d.name,
      from,
      to: dest,
      memoryBytes: d.mem,
      vcpus: d.vcpus,
      movesBack: d.back.has(to),
      why: `${reason}; ${dest} goes ${formatRatio(ratioOf(currentMem, to))} → ${formatRatio(ratioOf(afterMem, to))}${d.back.has(to) ? `; it ran on ${dest} recently, but no plan without moving it back fits the target` : ''}`,
    };
  });
  const [overBefore, mb, vb] = loadTerms(currentMem, currentVcpu);
  if (best.score[0] > TOLERANCE[0]) {
    notes.push(`no plan of at most ${maxMoves} moves brings every host within the target ${formatRatio(opts.target)}: ${formatBytes(best.score[0])} stays over it (raise max_moves, or add memory or a host)`);
  }
  return {
    method,
    target: opts.target,
    overTargetBefore: overBefore,
    overTargetAfter: best.score[0],
    exploredNodes: Math.min(nodes, nodeLimit),
    maxMoves,
    moves,
    memoryMovedBytes: moves.reduce((a, m) => a + m.memoryBytes, 0),
    before: ratios(hosts, currentMem, currentVcpu),
    after: ratios(hosts, afterMem, afterVcpu),
    maxBefore: { memory: mb, vcpu: vb },
    maxAfter: { memory: best.score[4], vcpu: best.score[5] },
    pinned: pinnedNames,
    notes,
  };
}
