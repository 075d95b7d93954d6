// The rebalancing objective written out the slow way, for the tests: every placement of every
// domain, compared on (memory over target, moves back, moves, memory moved, highest memory
// ratio), as the README states it. Exponential: small estates only.

export interface BruteHost { readonly host: string; readonly memoryBytes: number }
export interface BruteDomain { readonly name: string; readonly host: string; readonly memoryBytes: number }

export interface BruteAnswer {
  /** [over target, moves back, moves, memory moved, highest memory ratio] of the best plans. */
  readonly key: number[];
  /** Each best plan's moves as sorted "domain:from>to" strings. */
  readonly plans: string[][];
}

export function bruteForceRebalance(
  hosts: readonly BruteHost[],
  domains: readonly BruteDomain[],
  opts: { target: number; maxMoves: number; recent?: Readonly<Record<string, readonly string[]>> },
): BruteAnswer {
  const n = hosts.length;
  let best: BruteAnswer | null = null;
  for (let code = 0; code < n ** domains.length; code++) {
    const to = domains.map((_, i) => hosts[Math.floor(code / n ** i) % n]!.host);
    const moved = domains.filter((d, i) => to[i] !== d.host);
    if (moved.length > opts.maxMoves) continue;
    const mem = hosts.map((h) => domains.filter((_, i) => to[i] === h.host).reduce((a, d) => a + d.memoryBytes, 0));
    const over = mem.reduce((a, m, i) => a + Math.max(0, m - opts.target * hosts[i]!.memoryBytes), 0);
    const back = domains.filter((d, i) => to[i] !== d.host && (opts.recent?.[d.name] ?? []).includes(to[i]!)).length;
    const peak = Math.max(...mem.map((m, i) => m / hosts[i]!.memoryBytes));
    const key = [over, back, moved.length, moved.reduce((a, d) => a + d.memoryBytes, 0), peak];
    const plan = domains.flatMap((d, i) => (to[i] !== d.host ? [`${d.name}:${d.host}>${to[i]}`] : [])).sort();
    const first = best ? key.findIndex((k, i) => Math.abs(k - best!.key[i]!) > 1e-9 * Math.max(1, Math.abs(k))) : -1;
    if (!best || (first >= 0 && key[first]! < best.key[first]!)) best = { key, plans: [plan] };
    else if (first < 0) best.plans.push(plan);
  }
  return best!;
}
