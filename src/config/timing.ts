// The one schedule/timeout rule every collector's config follows. A source refreshed in the
// background has a `schedule`; every source has a `timeout`. The user's timeout must fit the
// user's schedule (refreshes would pile up otherwise); a defaulted timeout is cut to the
// schedule, so a default never produces an error about a field the user did not write.
// No zod here: a serving process resolves timings but never validates (src/config/child.ts);
// the fields themselves are timingFields() in fields.ts.
import type { z } from 'zod';
import type { Schedule } from '../schedule.js';

/** The schedule and timeout a source runs with. */
export interface Timing {
  readonly schedule?: Schedule;
  readonly timeoutMs: number;
}

/**
 * A source refreshed in the background: `schedule` (default given) and `timeout` (default
 * min(defaultTimeoutMs, the schedule's interval)). Spread `timingFields(it)` into the section,
 * call `check` from its superRefine, and `resolve` when building the source.
 */
export function scheduleAndTimeout(defaults: { readonly schedule: string; readonly timeoutMs: number }) {
  return {
    defaultSchedule: defaults.schedule,
    /** An explicit timeout longer than the schedule's interval is an error naming that field. */
    check(config: { schedule: Schedule; timeout?: number | undefined }, issue: z.RefinementCtx, path: readonly PropertyKey[]): void {
      const { schedule: sched, timeout } = config;
      if (timeout !== undefined && sched.kind === 'interval' && timeout > sched.ms) {
        issue.addIssue({
          code: 'custom',
          path: [...path],
          message: `timeout is longer than the schedule's interval (${sched.ms / 1000}s): refreshes would pile up`,
        });
      }
    },
    resolve(config: { schedule: Schedule; timeout?: number | undefined }): Required<Timing> {
      const { schedule: sched, timeout } = config;
      const cut = sched.kind === 'interval' ? Math.min(defaults.timeoutMs, sched.ms) : defaults.timeoutMs;
      return { schedule: sched, timeoutMs: timeout ?? cut };
    },
  };
}

/** A source refreshed when scraped: only `timeout`, with its default. */
export function scrapeTimeout(defaultTimeoutMs: number) {
  return {
    defaultSchedule: undefined,
    resolve(config: { timeout?: number | undefined }): Timing {
      return { timeoutMs: config.timeout ?? defaultTimeoutMs };
    },
  };
}
