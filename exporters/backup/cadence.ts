// When a slow per-target test (integrity check, restore test) is due. Pure: times in, decision out.
//
// A test runs once per interval. An attempt skipped because a backup held or changed the
// repository is retried after a back-off that doubles from RETRY_MIN_MS up to the interval, so
// a nightly backup window is waited out without hammering the repository nor waiting a week.

export const RETRY_MIN_MS = 10 * 60_000;

export interface CadenceState {
  /** Unix ms when the last run (passed or failed) finished; null before the first. */
  readonly lastRunMs: number | null;
  /** Unix ms of the latest skipped attempt since the last run, and how many in a row. */
  readonly lastSkipMs: number | null;
  readonly skipsInARow: number;
}

export const initialCadence: CadenceState = { lastRunMs: null, lastSkipMs: null, skipsInARow: 0 };

/** Back-off after `skips` skipped attempts in a row: 10m, 20m, 40m... never more than the interval. */
export function retryDelayMs(skips: number, intervalMs: number): number {
  return Math.min(intervalMs, RETRY_MIN_MS * 2 ** Math.max(0, Math.min(skips - 1, 20)));
}

export function isDue(state: CadenceState, nowMs: number, intervalMs: number): boolean {
  if (state.lastSkipMs !== null && nowMs - state.lastSkipMs < retryDelayMs(state.skipsInARow, intervalMs)) return false;
  return state.lastRunMs === null || nowMs - state.lastRunMs >= intervalMs;
}

export function afterRun(nowMs: number): CadenceState {
  return { lastRunMs: nowMs, lastSkipMs: null, skipsInARow: 0 };
}

export function afterSkip(state: CadenceState, nowMs: number): CadenceState {
  return { ...state, lastSkipMs: nowMs, skipsInARow: state.skipsInARow + 1 };
}
