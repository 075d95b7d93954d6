// The backup catalog: for each configured target, when its newest backup was made and whether
// that is fresh enough. Every value is refreshed in the background, each target on its own
// schedule (reading a repository can take minutes); the scrape serves the last snapshot and
// the runtime's headroom_collector_source_last_attempt_timestamp_seconds{collector="backup",source=<target>}
// says when the target was last read.
import { gauge } from '../../src/metrics.js';

const BG = 'Refreshed in the background on the target\'s own schedule; kept from the last good read when a read fails.';

export const lastSuccess = gauge(
  'headroom_backup_last_success_timestamp_seconds',
  `Unix time of the target's newest backup: the newest restic snapshot or borg archive (after the configured filters), the newest modification time among the files matching a files target's glob, or the committer time of a git target's last commit. Age = time() - this. ${BG}`,
  ['target', 'kind'],
);
export const maxAge = gauge(
  'headroom_backup_max_age_seconds',
  'The target\'s configured freshness objective (max_age) in seconds: a backup older than this is overdue. Present from startup, whatever the reads do, so one alert rule (time() - last_success > max_age) covers every target.',
  ['target'],
);
export const snapshots = gauge(
  'headroom_backup_snapshots',
  `How many backups the target holds: restic snapshots or borg archives matching the filters, files matching the glob, or commits reachable from the git ref. ${BG}`,
  ['target'],
);
export const newestSize = gauge(
  'headroom_backup_newest_size_bytes',
  `Size in bytes of the newest backup where it is cheap to know: the newest matching file of a files target; a restic snapshot's total_bytes_processed when restic records a summary (restic 0.17 and later); a borg archive's original size when the target sets size: true (borg info, which needs borg's cache). Absent otherwise. ${BG}`,
  ['target'],
);
export const repositoryLocks = gauge(
  'headroom_backup_repository_locks',
  `Locks held on the repository when it was last read: restic's lock files (restic list locks), or 1 while borg's exclusive lock is held on a local repository. headroom reads without taking or waiting for a lock, so a lock never fails the check; but one that outlives the backup window is a crashed backup or prune that will make the next runs fail (restic unlock / borg break-lock). Absent for files and git targets and for remote borg repositories. ${BG}`,
  ['target'],
);
export const backupMetrics = [lastSuccess, maxAge, snapshots, newestSize, repositoryLocks] as const;
