// The `collectors.backup` section's validation (run by the config child, never by serve).
import path from 'node:path';
import { z } from 'zod';
import { duration, filePath, secretFile, section, size, timingFields, userName, type SchemaContext } from '../../src/config/fields.js';
import { MAX_TIMER_MS } from '../../src/units.js';
import {
  backupKinds,
  backupTiming,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_RESTORE_MAX_SIZE,
  DEFAULT_RESTORE_TIMEOUT_MS,
  DEFAULT_TEST_EVERY_MS,
  isLocalRepository,
  type BackupKind,
} from './config.js';

const targetName = userName('a target');

/**
 * A repository: a local path (resolved from the config file's directory, as other paths are)
 * or a location the tool understands (sftp:, rest:, s3:, ssh://, user@host:path...), kept as is.
 */
function repository(ctx: SchemaContext) {
  return z
    .string({ error: 'expected a repository path or URL' })
    .min(1, 'must not be empty')
    .transform((r) => (isLocalRepository(r) ? path.resolve(ctx.baseDir, r) : r));
}

// An interval the runtime's timers can hold (24 days), and never shorter than a minute.
const every = () => duration({ min: 60_000 }).refine((ms) => ms <= MAX_TIMER_MS, 'must be at most 24d').default(DEFAULT_TEST_EVERY_MS);

/** Names of estate hosts, libvirt domains and estate services this target backs up (label values). */
const coverNames = z.array(z.string().min(1, 'must not be empty')).default([]);
const covers = section({ hosts: coverNames, vms: coverNames, services: coverNames }).optional();

function integrityCheck<T extends z.ZodRawShape>(extra: T) {
  return section({ every: every(), timeout: duration({ min: 1000 }).default(DEFAULT_CHECK_TIMEOUT_MS), ...extra }).optional();
}

const restoreTest = section({
  /** The path inside the snapshot/archive to restore (a file or a small directory). */
  path: z.string({ error: 'expected the path inside the backup to restore' }).min(1, 'must not be empty'),
  every: every(),
  timeout: duration({ min: 1000 }).default(DEFAULT_RESTORE_TIMEOUT_MS),
  /** Refuse to restore more than this: the test must stay small. */
  max_size: size().default(DEFAULT_RESTORE_MAX_SIZE),
  /** Where the private temporary directory is made; the system's temporary directory when absent. */
  temp_dir: z.string().min(1).optional(),
}).optional();

function common<K extends BackupKind>(kind: K) {
  return {
    name: targetName,
    kind: z.literal(kind),
    max_age: duration({ min: 1000 }),
    ...timingFields(backupTiming),
    covers,
  };
}

export function backupConfigSchema(ctx: SchemaContext) {
  const restic = section({
    ...common('restic'),
    repository: repository(ctx),
    password_file: secretFile(ctx),
    /** Only snapshots of this host / containing this path / carrying all these tags count. */
    host: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
    tags: z.array(z.string().min(1)).optional(),
    /** restic's cache (keeps snapshot reads off the network); restic's default when absent. */
    cache_dir: filePath(ctx).optional(),
    program: z.string().min(1).default('restic'),
    /** restic check --no-lock, with --read-data-subset when set (`5%`, `1/7`, `500M`). */
    integrity_check: integrityCheck({ read_data_subset: z.string().regex(/^[0-9./%a-zA-Z]+$/, 'use restic\'s forms: 5%, 1/7 or 500M').optional() }),
    restore_test: restoreTest,
  });
  const borg = section({
    ...common('borg'),
    repository: repository(ctx),
    /** Absent for unencrypted repositories. */
    passphrase_file: secretFile(ctx).optional(),
    /** Only archives whose names match this shell pattern count (borg --glob-archives). */
    archives: z.string().min(1).optional(),
    /** Report the newest archive's original size via `borg info`: this builds borg's chunk cache, costly on big remote repositories. */
    size: z.boolean().default(false),
    /** BORG_BASE_DIR for borg's security records, keys and cache; borg's default ($HOME) when absent. */
    base_dir: filePath(ctx).optional(),
    program: z.string().min(1).default('borg'),
    /** borg check --repository-only (segments) or --archives-only --last 1 (the newest archive's metadata). */
    integrity_check: integrityCheck({ scope: z.enum(['repository', 'archives'], { error: 'scope is repository or archives' }).default('repository') }),
    restore_test: restoreTest,
  });
  const files = section({
    ...common('files'),
    /** A glob of backup files; the newest modification time among the matches counts. */
    path: filePath(ctx),
  });
  const git = section({
    ...common('git'),
    /** A work tree or bare repository; its last commit's committer time counts. */
    path: filePath(ctx),
    ref: z.string().min(1).default('HEAD'),
    program: z.string().min(1).default('git'),
    /** git fsck of every object. */
    integrity_check: integrityCheck({}),
  });
  const target = z.discriminatedUnion('kind', [restic, borg, files, git], {
    error: (issue) =>
      issue.code === 'invalid_union' ? `kind must be one of ${backupKinds.join(', ')}` : undefined,
  });
  return section({
    targets: z
      .array(target)
      .min(1, 'list at least one backup target')
      .superRefine((targets, issue) => {
        const seen = new Set<string>();
        targets.forEach((t, i) => {
          if (seen.has(t.name)) {
            issue.addIssue({ code: 'custom', path: [i, 'name'], message: `target name ${JSON.stringify(t.name)} is used twice` });
          }
          seen.add(t.name);
          backupTiming.check(t, issue, [i, 'timeout']);
        });
      }),
  });
}

