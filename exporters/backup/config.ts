// The `collectors.backup` section as the collector uses it: a list of targets, each read on
// its own schedule; validated by schema.ts.
import type { z } from 'zod';
import { scheduleAndTimeout } from '../../src/config/timing.js';
import type { backupConfigSchema } from './schema.js';

export const backupKinds = ['restic', 'borg', 'files', 'git'] as const;
export type BackupKind = (typeof backupKinds)[number];

/**
 * Reading metadata every 15 minutes is plenty for objectives counted in hours. Two minutes of
 * timeout: a metadata read of a remote repository with a cold cache (restic downloads every
 * snapshot file, borg the manifest over ssh) fits comfortably, while a hung ssh or a dead NFS
 * mount is cut off long before the next run is due (cut to the schedule when that is shorter).
 */
export const backupTiming = scheduleAndTimeout({ schedule: '15m', timeoutMs: 2 * 60_000 });

/** Local when it is neither a URL-ish `scheme:...` (restic's local:, sftp:, rest:...) nor borg's `[user@]host:path`. */
export function isLocalRepository(repository: string): boolean {
  return !/^[A-Za-z0-9_.@-]+:/.test(repository);
}

/** Integrity checks and restore tests read much more than metadata: weekly unless configured. */
export const DEFAULT_TEST_EVERY_MS = 7 * 24 * 3600_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 3600_000;
export const DEFAULT_RESTORE_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_RESTORE_MAX_SIZE = 100 * 1024 * 1024;

export type BackupConfig = z.output<ReturnType<typeof backupConfigSchema>>;
export type BackupTarget = BackupConfig['targets'][number];
export type ResticTarget = Extract<BackupTarget, { kind: 'restic' }>;
export type BorgTarget = Extract<BackupTarget, { kind: 'borg' }>;
export type FilesTarget = Extract<BackupTarget, { kind: 'files' }>;
export type GitTarget = Extract<BackupTarget, { kind: 'git' }>;
