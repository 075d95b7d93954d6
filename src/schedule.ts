import { createRequire } from 'node:module';
import { MAX_TIMER_MS, parseDuration } from './units.js';

// node-cron is required when a cron expression is first met, not at startup: the host
// collectors run on intervals, and it would stay resident (~1.8 MB) in every exporter.
const require = createRequire(import.meta.url);
const cron = (): typeof import('node-cron').default => (require('node-cron') as { default: typeof import('node-cron').default }).default;

/** A background refresh schedule: a Prometheus duration runs on a timer, a cron expression on node-cron. */
export type Schedule =
  | { readonly kind: 'interval'; readonly ms: number }
  | { readonly kind: 'cron'; readonly expression: string };

/** Parses `30s` / `15m` or a cron expression; returns an error message instead when it is neither. */
export function parseSchedule(text: string): Schedule | string {
  const ms = parseDuration(text);
  if (ms !== null) {
    if (ms < 1000) return `schedule ${JSON.stringify(text)} is shorter than 1s`;
    // Node runs a longer timer after 1 ms instead (TimeoutOverflowWarning): a refresh loop.
    if (ms > MAX_TIMER_MS) return `schedule ${JSON.stringify(text)} is longer than 24d (timer limit); use a cron expression`;
    return { kind: 'interval', ms };
  }
  if (/\s/.test(text.trim()) && cron().validate(text)) return { kind: 'cron', expression: text };
  return `${JSON.stringify(text)} is neither a duration (like 30s, 15m, 1h) nor a cron expression (like "*/5 * * * *")`;
}

/** Runs `tick` on the schedule (not immediately); returns a function that stops it. */
export function startSchedule(s: Schedule, tick: () => void): () => void {
  if (s.kind === 'interval') {
    const timer = setInterval(tick, s.ms);
    return () => clearInterval(timer);
  }
  // noOverlap is moot (the runtime shares an in-flight refresh) but keeps node-cron quiet.
  const task = cron().schedule(s.expression, () => tick(), { noOverlap: true });
  return () => {
    void task.destroy();
  };
}
