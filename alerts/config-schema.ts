// The `alerting` config section: SMTP and addresses for alertmanager.yml, routing timings, and
// `rules:` overrides of the alert mixin's config (thresholds, for, selectors, windows).
import { z } from 'zod';
import type { ConfigSection } from '../src/config/load.js';
import { section } from '../src/config/fields.js';
import { parseDuration } from '../src/units.js';
import { ALERT_NAMES, type AlertsConfigOverrides, defaultAlertsConfig } from './config.js';

/** `obsQueueBacklogJobs` → `obs_queue_backlog_jobs`: config files speak snake_case. */
export function snakeCase(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A Prometheus duration kept as text (it goes into YAML as written), validated now. */
function promDuration(opts: { nonZero?: boolean } = {}) {
  return z.string({ error: 'expected a duration such as 30s, 15m or 26h' }).superRefine((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration (use 30s, 15m, 26h, 7d)` });
    else if (opts.nonZero && ms === 0) ctx.addIssue({ code: 'custom', message: 'must be longer than 0s' });
  });
}

/** Label matchers as written inside PromQL braces, e.g. `job="headroom",cluster="prod"`. */
const matchers = z
  .string()
  .refine((s) => !/[{}]/.test(s), 'write the matchers without braces, e.g. job="headroom"');

/** A snake_case strict section whose keys and value types follow the camelCase defaults. */
function overridesOf<T extends object>(defaults: T, value: (def: number | string) => z.ZodType) {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, def] of Object.entries(defaults) as Array<[string, number | string]>) shape[snakeCase(key)] = value(def).optional();
  return section(shape).transform((parsed) => {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(defaults)) {
      const v = (parsed as Record<string, unknown>)[snakeCase(key)];
      if (v !== undefined) out[key] = v;
    }
    return out as Partial<T>;
  });
}

const rulesSchema = section({
  thresholds: overridesOf(defaultAlertsConfig.thresholds, (def) =>
    typeof def === 'number' ? z.number().nonnegative() : promDuration({ nonZero: true }),
  ).optional(),
  // Keyed by alert name, as the rule file shows it.
  for: section(Object.fromEntries(ALERT_NAMES.map((name) => [name, promDuration().optional()]))).optional(),
  selectors: overridesOf(defaultAlertsConfig.selectors, () => matchers).optional(),
  windows: overridesOf(defaultAlertsConfig.windows, () => promDuration({ nonZero: true })).optional(),
  runbook_url_pattern: z.string().url('expected a URL, with %s where the alert name goes').optional(),
}).transform(
  (r): AlertsConfigOverrides => ({
    ...(r.thresholds && { thresholds: r.thresholds }),
    ...(r.for && { for: r.for as AlertsConfigOverrides['for'] }),
    ...(r.selectors && { selectors: r.selectors }),
    ...(r.windows && { windows: r.windows }),
    ...(r.runbook_url_pattern !== undefined && { runbookUrlPattern: r.runbook_url_pattern }),
  }),
);

const email = z.string().regex(/^[^\s@,]+@[^\s@,]+$/, 'expected one e-mail address such as oncall@example.org');

/** How one severity's notifications are grouped and repeated (Alertmanager route timings). */
function routeTimings(defaults: { group_wait: string; group_interval: string; repeat_interval: string }) {
  return section({
    group_wait: promDuration().default(defaults.group_wait),
    group_interval: promDuration({ nonZero: true }).default(defaults.group_interval),
    repeat_interval: promDuration({ nonZero: true }).default(defaults.repeat_interval),
  }).default(defaults);
}

const smtpSchema = section({
  /** host:port of the mail relay (587 = submission with STARTTLS). */
  smarthost: z.string().regex(/^[^\s:]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/, 'expected host:port such as mail.example.org:587'),
  from: email,
  hello: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  /**
   * Read by Alertmanager on its own host: headroom only writes the path into alertmanager.yml,
   * never reads the password. Absolute, since Alertmanager resolves relative paths from its config's folder.
   */
  password_file: z.string().refine((p) => p.startsWith('/'), 'expected an absolute path on the Alertmanager host').optional(),
  require_tls: z.boolean().default(true),
  tls_config: section({
    ca_file: z.string().min(1).optional(),
    cert_file: z.string().min(1).optional(),
    key_file: z.string().min(1).optional(),
    server_name: z.string().min(1).optional(),
    insecure_skip_verify: z.boolean().default(false),
  }).optional(),
}).superRefine((smtp, ctx) => {
  if (smtp.password_file !== undefined && smtp.username === undefined) {
    ctx.addIssue({ code: 'custom', path: ['username'], message: 'password_file needs a username to log in with' });
  }
});

export const alertingSchema = section({
  smtp: smtpSchema.optional(),
  oncall_email: email.optional(),
  team_email: email.optional(),
  /** critical alerts: paged quickly, repeated every few hours while they last. */
  critical: routeTimings({ group_wait: '30s', group_interval: '5m', repeat_interval: '4h' }),
  /** warnings: batched, repeated once a day. */
  warning: routeTimings({ group_wait: '5m', group_interval: '30m', repeat_interval: '1d' }),
  rules: rulesSchema.optional(),
}).superRefine((a, ctx) => {
  const mail = a.smtp !== undefined || a.oncall_email !== undefined || a.team_email !== undefined;
  if (!mail) return;
  if (a.smtp === undefined) ctx.addIssue({ code: 'custom', path: ['smtp'], message: 'smtp is required to send alert e-mail' });
  if (a.oncall_email === undefined) ctx.addIssue({ code: 'custom', path: ['oncall_email'], message: 'oncall_email is required (critical alerts go there)' });
  if (a.team_email === undefined) ctx.addIssue({ code: 'custom', path: ['team_email'], message: 'team_email is required (warnings go there)' });
});

export type AlertingConfig = z.output<typeof alertingSchema>;

export const alertingSection: ConfigSection = {
  key: 'alerting',
  schema: () => alertingSchema,
};
