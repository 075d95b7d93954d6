// The benchmark's figures: one row per measure, printed as a table per scenario and written
// as JSON with --json. The shape is the issue's: {scenario, measure, unit, headroom, peer,
// peer_value, ratio}; every scenario, bench/obs.ts included, builds these rows.
import { writeFileSync } from 'node:fs';
import { median } from './stats.js';

export interface BenchRow {
  scenario: string;
  measure: string;
  unit: string;
  headroom: number;
  /** The peer exporter measured in the same run, or null where there is none. */
  peer: string | null;
  peer_value: number | null;
  /** headroom / peer_value: below 1 means headroom used less (time, memory, bytes). */
  ratio: number | null;
}

export const round = (n: number, digits = 2): number => {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Rounds to a few significant digits: figures measured on a busy 2-core machine are not more precise. */
export function tidy(n: number): number {
  if (!Number.isFinite(n) || n === 0) return n;
  const magnitude = Math.floor(Math.log10(Math.abs(n)));
  return round(n, Math.max(0, 2 - magnitude));
}

export function row(scenario: string, measure: string, unit: string, headroom: number, peer?: { name: string; value: number }): BenchRow {
  const ours = tidy(headroom);
  if (!peer) return { scenario, measure, unit, headroom: ours, peer: null, peer_value: null, ratio: null };
  const theirs = tidy(peer.value);
  // A ratio to zero (no errors on either side) or across signs (memory grew here, shrank
  // there) says nothing.
  const ratio = peer.value > 0 && headroom >= 0 ? round(headroom / peer.value, 2) : null;
  return { scenario, measure, unit, headroom: ours, peer: peer.name, peer_value: theirs, ratio };
}

/**
 * The rows of repeated runs of the same scenarios merged into one: the median of each figure,
 * and the median of the per-run ratios (a ratio is only meaningful within one run, where both
 * exporters saw the same machine weather). Rows match by position: every run yields the same
 * rows in the same order, though some measure texts carry per-run counts.
 */
export function medianRows(runs: readonly (readonly BenchRow[])[]): BenchRow[] {
  const [first, ...rest] = runs;
  if (!first) return [];
  for (const other of rest) {
    if (other.length !== first.length || other.some((r, i) => r.scenario !== first[i]!.scenario)) {
      throw new Error('repeated benchmark runs yielded different rows');
    }
  }
  return first.map((r, i) => {
    const all = runs.map((run) => run[i]!);
    const peers = all.map((x) => x.peer_value).filter((v): v is number => v !== null);
    const ratios = all.map((x) => x.ratio).filter((v): v is number => v !== null);
    return {
      ...r,
      headroom: tidy(median(all.map((x) => x.headroom))),
      peer_value: peers.length ? tidy(median(peers)) : null,
      ratio: ratios.length ? round(median(ratios), 2) : null,
    };
  });
}

function formatNumber(n: number | null): string {
  if (n === null) return '';
  return n.toLocaleString('en', { maximumFractionDigits: 3 });
}

/** One aligned table per scenario: measure, unit, headroom, the peer's figure and the ratio. */
export function printTables(rows: readonly BenchRow[], out: (line: string) => void = console.log): void {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const mine = rows.filter((r) => r.scenario === scenario);
    const peers = [...new Set(mine.map((r) => r.peer).filter((p): p is string => p !== null))];
    out('');
    out(`## ${scenario}${peers.length ? `  (peer: ${peers.join(', ')})` : ''}`);
    const header = ['measure', 'unit', 'headroom', 'peer', 'ratio'];
    const body = mine.map((r) => [r.measure, r.unit, formatNumber(r.headroom), formatNumber(r.peer_value), r.ratio === null ? '' : `${r.ratio}×`]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
    out(line(header));
    out(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const b of body) out(line(b));
  }
}

export function writeJson(file: string, rows: readonly BenchRow[]): void {
  writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}
