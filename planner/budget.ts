// What a worker host's capacity is budgeted on: sustained swap churn (the default) or the
// share of time its tasks stall on memory (PSI "full"). Both rise with the build load; the
// planner fits the same hinge to either and says which one it used.
import { formatRate } from './format.js';

export type BudgetKind = 'swap churn' | 'memory stall';

export interface Budget {
  readonly kind: BudgetKind;
  /** Bytes per second for swap churn; a share of time (0..1) for memory stall. */
  readonly limit: number;
}

/** A value on the budget's scale, with its unit. */
export function formatBudgetValue(kind: BudgetKind, v: number | null | undefined): string {
  if (kind === 'swap churn') return formatRate(v);
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${(v * 100).toFixed(2)} %`;
}

/** "swap churn 20.0 MB/s" / "memory stall (PSI full) 5.00 % of the time", for headings and notes. */
export function describeBudget(b: Budget): string {
  return b.kind === 'swap churn'
    ? `swap churn (swap-in + swap-out) of ${formatBudgetValue(b.kind, b.limit)}`
    : `memory stall time (PSI "full": all tasks waiting for memory) of ${formatBudgetValue(b.kind, b.limit)} of the time`;
}
