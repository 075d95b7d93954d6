/** What one read of a target found; turned into samples by the collector. */
export interface BackupSummary {
  /** Unix seconds of the newest backup. */
  readonly newestSeconds: number;
  /** How many backups there are (snapshots, archives, files, commits); at least 1. */
  readonly count: number;
  /** Size of the newest backup in bytes, where cheap to know. */
  readonly newestSizeBytes?: number;
  /**
   * Locks held on the repository right now (restic lock files; borg's exclusive lock on a local
   * repository); absent where that cannot be seen cheaply. Reads never take or wait for them.
   */
  readonly locks?: number;
}
