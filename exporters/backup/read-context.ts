import type { HostPaths } from '../../src/paths.js';

/** What a read of one target gets from the collector. */
export interface ReadContext {
  readonly paths: HostPaths;
  /** Aborted when the target's timeout passes or the exporter stops. */
  readonly signal: AbortSignal;
  /** The target's timeout: also the kill deadline of each program it runs. */
  readonly timeoutMs: number;
}
