// The `collectors.obs` section's validation (run by the config child, never by serve).
import { z } from 'zod';
import { filePath, secretFile, section, size, timingFields, userName, type SchemaContext } from '../../src/config/fields.js';
import { obsTiming } from './config.js';

function apiUrl() {
  return z.string({ error: 'expected the OBS API URL, such as https://api.example.org' }).superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a URL (expected https://api.example.org)` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `URL scheme ${url.protocol} is not supported (use http or https)` });
    }
    if (url.username || url.password) {
      // Credentials in a URL end up in logs and on the status page; they belong in password_file.
      ctx.addIssue({ code: 'custom', message: 'the URL must not contain credentials: use username and password_file' });
    }
    if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'the URL must not have a query or fragment' });
  });
}

export function obsInstanceSchema(ctx: SchemaContext) {
  return section({
    name: userName('an OBS instance'),
    url: apiUrl(),
    username: z.string().min(1, 'must not be empty').optional(),
    password_file: secretFile(ctx).optional(),
    ...timingFields(obsTiming),
    max_response_size: size().default(16 * 1024 * 1024),
    tls_config: section({
      ca_file: filePath(ctx).optional(),
      insecure_skip_verify: z.boolean().default(false),
    }).default({ insecure_skip_verify: false }),
    projects: z.array(z.string().min(1, 'a project name must not be empty')).default([]),
    // Repositories whose job history and starved packages are followed; globs (* ? [...]).
    watch: z
      .array(
        section({
          project: z.string().min(1, 'must not be empty'),
          repository: z.string().min(1, 'must not be empty').default('*'),
          arch: z.string().min(1, 'must not be empty').default('*'),
        }),
      )
      .default([]),
    job_history_limit: z.number().int().min(1).max(100_000).default(1000),
    // One series per building worker: 27,000 series on a 50,000-worker farm, so asked for, not
    // given; the per-arch gauges (jobs building, oldest build start) are always there.
    per_worker_builds: z.boolean().default(false),
  }).superRefine((instance, issue) => {
    obsTiming.check(instance, issue, ['timeout']);
    if ((instance.username === undefined) !== (instance.password_file === undefined)) {
      issue.addIssue({
        code: 'custom',
        message: 'username and password_file go together (both for HTTP basic auth, or neither for an unauthenticated back end)',
        path: [instance.username === undefined ? 'username' : 'password_file'],
      });
    }
    if (new Set(instance.projects).size !== instance.projects.length) {
      issue.addIssue({ code: 'custom', message: 'a project is listed twice', path: ['projects'] });
    }
  });
}

export function obsConfigSchema(ctx: SchemaContext) {
  return section({
    instances: z
      .array(obsInstanceSchema(ctx))
      .min(1, 'list at least one OBS instance')
      .superRefine((instances, issue) => {
        const seen = new Set<string>();
        instances.forEach((instance, i) => {
          if (seen.has(instance.name)) {
            issue.addIssue({ code: 'custom', message: `instance name ${JSON.stringify(instance.name)} is used twice (it becomes the obs label)`, path: [i, 'name'] });
          }
          seen.add(instance.name);
        });
      }),
  });
}

