// Zod building blocks shared by every config section: strict objects that name a misspelt
// key's likely meaning, durations, sizes, schedules and secret files.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MIN_TIMEOUT_MS } from '../collector.js';
import { MAX_SECRET_BYTES, regularFileProblem } from '../safe-file.js';
import { parseSchedule, type Schedule } from '../schedule.js';
import { parseDuration, parseSize } from '../units.js';
import { suggestKey } from './suggest.js';

/** What validation needs to know about the file being validated. */
export interface SchemaContext {
  /** Directory of the config file: relative paths in it are resolved from there, as Prometheus does. */
  readonly baseDir: string;
}

/** An object that rejects unknown keys, each with a "did you mean" hint. */
export function section<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      // The shape as finally built: the loader extends sections with `enabled`.
      const finalShape = (issue.inst as { shape?: z.ZodRawShape } | undefined)?.shape ?? shape;
      const known = Object.keys(finalShape);
      return issue.keys
        .map((k) => {
          const hint = suggestKey(k, known);
          return `unknown key ${JSON.stringify(k)}${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}; allowed keys: ${known.join(', ')}`;
        })
        .join('\n'); // one line per key: the loader locates each key in the file
    },
  });
}

/** A Prometheus duration (`30s`, `1h30m`, `7d`) as milliseconds. */
export function duration(opts: { min?: number } = {}) {
  return z.string({ error: 'expected a duration such as 30s, 15m or 26h' }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration (use 30s, 15m, 26h, 7d)` });
      return z.NEVER;
    }
    if (opts.min !== undefined && ms < opts.min) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is shorter than the minimum of ${opts.min / 1000}s` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A byte size (`16MiB`, `600TB`, or a number of bytes). */
export function size() {
  return z.union([z.string(), z.number()], { error: 'expected a size such as 16MiB or 600TB' }).transform((v, ctx) => {
    const bytes = parseSize(v);
    if (bytes === null) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a size (use 16MiB, 600TB, or a number of bytes)` });
      return z.NEVER;
    }
    return bytes;
  });
}

/** A refresh schedule: a duration runs on a timer, a cron expression on node-cron. */
export function schedule() {
  return z.string({ error: 'expected a duration such as 30s or a cron expression' }).transform((text, ctx): Schedule => {
    const parsed = parseSchedule(text);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });
}

/** A timeout field: optional, at least MIN_TIMEOUT_MS, its default applied by the timing's resolve(). */
function timeout() {
  return duration({ min: MIN_TIMEOUT_MS }).optional();
}

/** `timeout`, and `schedule` with its default for a background source (src/config/timing.ts). */
export function timingFields(timing: { readonly defaultSchedule: string }): { schedule: z.ZodPrefault<ReturnType<typeof schedule>>; timeout: ReturnType<typeof timeout> };
export function timingFields(timing: { readonly defaultSchedule: undefined }): { timeout: ReturnType<typeof timeout> };
export function timingFields(timing: { readonly defaultSchedule: string | undefined }) {
  return timing.defaultSchedule === undefined ? { timeout: timeout() } : { schedule: schedule().prefault(timing.defaultSchedule), timeout: timeout() };
}

// One rule for every name a user gives a thing that becomes a label value: plain ASCII, so
// lookalike letters, control characters and right-to-left overrides can never make two names
// that read the same, or a log line that reads differently from what it holds.
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const MAX_NAME_LENGTH = 128;

/** The name of an OBS instance, a backup target...: `what` says which, in the messages. */
export function userName(what: string) {
  return z
    .string({ error: `expected ${what} name` })
    .max(MAX_NAME_LENGTH, `${what} name is longer than ${MAX_NAME_LENGTH} characters`)
    .regex(NAME_RE, `${what} name uses ASCII letters, digits, and . _ : -, starting with a letter or digit (it becomes a label value)`);
}

/** A path, resolved from the config file's directory. */
export function filePath(ctx: SchemaContext) {
  return z.string().min(1, 'must not be empty').transform((p) => path.resolve(ctx.baseDir, p));
}

/**
 * A file holding a secret (password, passphrase). It must be a readable regular file within
 * the secret size cap now, so a typo, a FIFO or a device fails at startup (and in check-config)
 * rather than at the first poll; its content is read only when used, and never logged.
 */
export function secretFile(ctx: SchemaContext) {
  return filePath(ctx).superRefine((p, issue) => {
    let why = regularFileProblem(p, MAX_SECRET_BYTES);
    if (!why) {
      try {
        accessSync(p, constants.R_OK);
      } catch {
        why = 'is not readable';
      }
    }
    if (why) issue.addIssue({ code: 'custom', message: `secret file ${p} ${why}` });
  });
}
