// The `planner` config section (used by `headroom plan`; CLI flags override it).
import { z } from 'zod';
import type { ConfigSection } from '../src/config/load.js';
import { duration, secretFile, section, type SchemaContext } from '../src/config/fields.js';
import { parseSize } from '../src/units.js';

export const DEFAULT_WINDOW_MS = 28 * 86_400_000;
/** "A sustained 20 MB/s" (decimal megabytes, as the issue states it). */
export const DEFAULT_CHURN_BUDGET = 20e6;
export const DEFAULT_MAX_MOVES = 4;
export const REPORT_FORMATS = ['html', 'md', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A rate such as `20MB/s`, `20MiB/s` or `20MB` (per second implied); bytes per second or null. */
export function parseRate(text: string | number): number | null {
  if (typeof text === 'number') return parseSize(text);
  return parseSize(text.replace(/\s*\/\s*s$/i, ''));
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
    max_moves: z.number().int().min(0).max(50).default(DEFAULT_MAX_MOVES),
    /** Domain name → the VM host (instance label, or its host name) it must stay on. */
    pinned_domains: z.record(z.string().min(1), z.string().min(1)).default({}),
    formats: z.array(z.enum(REPORT_FORMATS)).min(1).default([...REPORT_FORMATS]),
  });
}

export type PlannerConfig = z.output<ReturnType<typeof plannerSchema>>;

export const plannerSection: ConfigSection = { key: 'planner', schema: (ctx) => plannerSchema(ctx) };

export function plannerConfigOf(sections: Readonly<Record<string, unknown>>): PlannerConfig {
  return (sections['planner'] as PlannerConfig | undefined) ?? plannerSchema().parse({});
}
