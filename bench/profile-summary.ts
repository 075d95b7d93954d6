// Sums the self time of a V8 .cpuprofile (node --cpu-prof) by function and by module, to see
// where a serving process' CPU goes: `node dist/bench/profile-summary.js FILE [TOP]`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a script belongs: a package under node_modules, node's internals, or headroom's own file. */
function moduleOf(url: string): string {
  if (url === '') return '(native/VM)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const own = /\/dist\/(.+)$/.exec(url);
  return own ? own[1]! : url;
}

export interface SelfTime {
  name: string;
  ms: number;
}

/** Self time per function (name @ module) and per module, largest first, and the total. */
export function summarise(profile: CpuProfile): { total: number; byFunction: SelfTime[]; byModule: SelfTime[] } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = nodes.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const m = moduleOf(url);
    const key = `${functionName || '(anonymous)'} @ ${m}${url ? `:${lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    mod.set(m, (mod.get(m) ?? 0) + ms);
    total += ms;
  });
  const sorted = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { total, byFunction: sorted(fn), byModule: sorted(mod) };
}

if (process.argv[1]?.endsWith('profile-summary.js')) {
  const [file, topText] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  const top = Number(topText ?? 30);
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const pct = (ms: number) => `${((100 * ms) / s.total).toFixed(1).padStart(5)} %`;
  console.log(`total sampled ${s.total.toFixed(0)} ms\n\nby module:`);
  for (const m of s.byModule.slice(0, top)) console.log(`${pct(m.ms)}  ${m.ms.toFixed(1).padStart(8)} ms  ${m.name}`);
  console.log('\nby function (self time):');
  for (const f of s.byFunction.slice(0, top)) console.log(`${pct(f.ms)}  ${f.ms.toFixed(1).padStart(8)} ms  ${f.name}`);
}
