// Sentences both renderers share, so the HTML and Markdown say the same thing.
import { describeBudget, type Budget } from './budget.js';
import type { Forecast } from './forecast.js';
import { formatBytes, formatDate, formatRatio, formatSignificant } from './format.js';
import type { RebalanceProposal } from './rebalance.js';
import { RISE_SHARE, type ThroughputFinding } from './throughput.js';
import type { WorkerFinding } from './workers.js';

export function describeModel(budget: Budget): string {
  const measure = budget.kind === 'swap churn' ? 'churn = swap-in + swap-out bytes per second' : 'stall = share of time all tasks waited for memory (PSI "full")';
  return (
    `Budget: ${describeBudget(budget)}. Model: load = building instances (averaged over the rate range); ${measure}. ` +
    'For each load level the median is taken; a hinge (flat up to a knee, linear above it) is fitted to those medians by least squares. ' +
    'The budget limit is the largest whole instance count at which the fit stays within the budget (a fit that reaches the budget exactly at N instances allows N); the memory limit keeps the promise (tmpfs roots + VM memory) within RAM + swap. ' +
    'Capacity is the smaller of the two.'
  );
}

/** How far a worker host's answer can be trusted, in one line. */
export function describeConfidence(f: WorkerFinding): string {
  const c = f.confidence;
  const reach = c.extrapolatedInstances > 0 ? `extrapolated ${c.extrapolatedInstances.toFixed(1)} instance(s) beyond the highest load seen (${f.maxObservedLoad})` : 'within the load seen';
  return `confidence ${c.rating}: ${c.points} points over ${c.levels} load level(s); ${reach}`;
}

export function describeObjective(v: RebalanceProposal): string {
  return (
    `Objective: every host within the memory overcommit target ${formatRatio(v.target)}. No host over it: no moves. ` +
    'Otherwise the fewest moves (then the least memory moved) that bring every host within it, without moving a domain back to a host it left within the move-back guard unless nothing else fits; ' +
    'the highest memory, then vCPU, overcommit only breaks ties.'
  );
}

export function describeProposal(v: RebalanceProposal): string {
  if (v.moves.length) {
    return `Move ${v.moves.length} domain(s), ${formatBytes(v.memoryMovedBytes)} of memory: memory over the target ${formatBytes(v.overTargetBefore)} → ${formatBytes(v.overTargetAfter)}; highest memory overcommit ${formatRatio(v.maxBefore.memory)} → ${formatRatio(v.maxAfter.memory)}, highest vCPU overcommit ${formatRatio(v.maxBefore.vcpu)} → ${formatRatio(v.maxAfter.vcpu)}.`;
  }
  if (v.overTargetBefore <= 1) return `Every host is within the memory overcommit target ${formatRatio(v.target)} (highest ${formatRatio(v.maxBefore.memory)}): no moves.`;
  return `No plan of at most ${v.maxMoves} moves lowers the memory over the target ${formatRatio(v.target)} (${formatBytes(v.overTargetBefore)} over; highest ${formatRatio(v.maxBefore.memory)}).`;
}

export function describeSearch(v: RebalanceProposal): string {
  return `${v.method === 'exact' ? 'Exact' : 'Greedy'} search, ${v.exploredNodes} nodes, at most ${v.maxMoves} moves. The allocation is the libvirt state at the window's end: exact, no extrapolation.`;
}

export function forecastValue(f: Forecast, v: number): string {
  return f.unit === 'ratio' ? formatRatio(v) : formatBytes(v);
}

/** The trend per day in units that show it: bytes with their IEC unit, ratios to three significant digits. */
export function forecastTrend(f: Forecast): string {
  if (f.status === 'too little data') return '–';
  if (f.slopePerDay === 0) return 'flat';
  if (f.unit === 'bytes') return `${f.slopePerDay > 0 ? '+' : '−'}${formatBytes(Math.abs(f.slopePerDay))} / day`;
  return `${formatSignificant(f.slopePerDay)} / day`;
}

/** What the trend stands on: how many points since when. */
export function forecastBasis(f: Forecast): string {
  return f.fittedFrom === null ? '–' : `${f.fittedPoints} points since ${formatDate(f.fittedFrom)}`;
}

export function describeThroughputModel(): string {
  return (
    'Throughput: each step\'s building instances (OBS, averaged over the rate range) rounded to a whole count; per count the median jobs finished per hour and the median of the median build times (histogram_quantile over the per-host buckets), counts with at least 3 points. ' +
    `Throughput stops rising at the smallest count c from which no higher count seen finishes more than ${RISE_SHARE * 100} % of one instance's average jobs/h at c per added instance. ` +
    'It is shown beside the worker budget\'s knee: instances above the count where throughput stops rising cost memory and add no builds.'
  );
}

/** How far a throughput answer can be trusted, in one line. */
export function describeThroughputConfidence(f: ThroughputFinding): string {
  const c = f.confidence;
  return `confidence ${c.rating}: ${c.points} points over ${c.levels} count(s)${f.saturation !== null ? `; flat at ${c.levelsAbove} count(s) above ${f.saturation}` : ''}`;
}

/** "4 (swap churn knee 4, allows 6)": the saturation count beside the worker budget's knee, for summaries. */
export function describeSaturation(f: ThroughputFinding, kind: string): string {
  const sat = f.saturation === null ? `still rising at ${f.maxObserved ?? '–'}` : `stops rising at ${f.saturation}`;
  const knee = f.churnKnee === null ? `no ${kind} knee` : `${kind} knee ${f.churnKnee}${f.churnLimit !== null ? `, budget allows ${f.churnLimit}` : ''}`;
  return `${sat} building instances (${knee})`;
}
