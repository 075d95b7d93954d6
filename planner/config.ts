// The `planner` config section (used by `headroom plan`; CLI flags override it).
import { z } from 'zod';
import type { ConfigSection } from '../src/config/load.js';
import { duration, secretFile, section, type SchemaContext } from '../src/config/fields.js';
import { parseSize } from '../src/units.js';
import type { Budget } from './budget.js';

export const DEFAULT_WINDOW_MS = 28 * 86_400_000;
/** "A sustained 20 MB/s" (decimal megabytes, as the issue states it). */
export const DEFAULT_CHURN_BUDGET = 20e6;
export const DEFAULT_MAX_MOVES = 4;
/** Memory overcommit a VM host should stay within: no more allocated than it has. */
export const DEFAULT_OVERCOMMIT_TARGET = 1.0;
/** A domain moved within this period is not proposed to go back where it came from (unless that is the only way). */
export const DEFAULT_MOVE_BACK_GUARD_MS = 7 * 86_400_000;
export const REPORT_FORMATS = ['html', 'md', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A rate such as `20MB/s`, `20MiB/s` or `20MB` (per second implied); bytes per second or null. */
export function parseRate(text: string | number): number | null {
  if (typeof text === 'number') return parseSize(text);
  return parseSize(text.replace(/\s*\/\s*s$/i, ''));
}

/** A share of time such as `5%` or `0.05`; a fraction in (0, 1] or null. */
export function parseShare(text: string | number): number | null {
  const m = typeof text === 'number' ? null : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  const n = m ? Number(m[1]) / 100 : typeof text === 'number' ? text : /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN;
  return Number.isFinite(n) && n > 0 && n <= 1 ? n : null;
}

function share() {
  return z.union([z.string(), z.number()], { error: 'expected a share of time such as 5%' }).transform((v, ctx) => {
    const n = parseShare(v);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a share of time above 0 and at most 100% (use 5%)` });
      return z.NEVER;
    }
    return n;
  });
}

function rate() {
  return z.union([z.string(), z.number()], { error: 'expected a rate such as 20MB/s' }).transform((v, ctx) => {
    const bytes = parseRate(v);
    if (bytes === null || bytes <= 0) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a positive rate (use 20MB/s, 50MiB/s)` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** How the planner authenticates to a Prometheus behind a web config or a proxy. */
function prometheusAuth(ctx: SchemaContext) {
  return section({
    username: z.string().min(1).optional(),
    password_file: secretFile(ctx).optional(),
    bearer_token_file: secretFile(ctx).optional(),
  }).superRefine((a, issue) => {
    if ((a.username === undefined) !== (a.password_file === undefined)) {
      issue.addIssue({ code: 'custom', message: 'basic auth needs both username and password_file', path: [a.username === undefined ? 'username' : 'password_file'] });
    }
    if (a.bearer_token_file !== undefined && a.username !== undefined) {
      issue.addIssue({ code: 'custom', message: 'use either basic auth (username, password_file) or bearer_token_file, not both', path: ['bearer_token_file'] });
    }
  });
}

export function plannerSchema(ctx: SchemaContext = { baseDir: process.cwd() }) {
  return section({
    prometheus_url: z.url({ error: 'expected the Prometheus base URL, e.g. http://prometheus:9090' }).optional(),
    prometheus_auth: prometheusAuth(ctx).optional(),
    window: duration({ min: 3_600_000 }).default(DEFAULT_WINDOW_MS),
    swap_churn_budget: rate().default(DEFAULT_CHURN_BUDGET),
    /** When set, the worker budget is memory stall time (PSI "full") instead of swap churn. */
    memory_stall_budget: share().optional(),
    max_moves: z.number().int().min(0).max(50).default(DEFAULT_MAX_MOVES),
    overcommit_target: z.number({ error: 'expected a memory overcommit ratio such as 1.0' }).positive().default(DEFAULT_OVERCOMMIT_TARGET),
    move_back_guard: duration({ min: 0 }).default(DEFAULT_MOVE_BACK_GUARD_MS),
    /** Domain name → the VM host (instance label, or its host name) it must stay on. */
    pinned_domains: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** OBS worker host name → the worker host's Prometheus instance (or its host name), where they differ. */
    obs_worker_hosts: z.record(z.string().min(1), z.string().min(1)).default({}),
    formats: z.array(z.enum(REPORT_FORMATS)).min(1).default([...REPORT_FORMATS]),
  }).superRefine((p, issue) => {
    // Only a swap_churn_budget the user wrote conflicts; its default never does.
    if (p.memory_stall_budget !== undefined && p.swap_churn_budget !== DEFAULT_CHURN_BUDGET) {
      issue.addIssue({ code: 'custom', message: 'the worker budget is either swap_churn_budget or memory_stall_budget, not both', path: ['memory_stall_budget'] });
    }
  });
}

export type PlannerConfig = z.output<ReturnType<typeof plannerSchema>>;

export const plannerSection: ConfigSection = { key: 'planner', schema: (ctx) => plannerSchema(ctx) };

export function plannerConfigOf(sections: Readonly<Record<string, unknown>>): PlannerConfig {
  return (sections['planner'] as PlannerConfig | undefined) ?? plannerSchema().parse({});
}

/** The worker budget the config asks for: memory stall time when set, else swap churn. */
export function budgetOf(config: PlannerConfig): Budget {
  return config.memory_stall_budget !== undefined
    ? { kind: 'memory stall', limit: config.memory_stall_budget }
    : { kind: 'swap churn', limit: config.swap_churn_budget };
}
