// Runs backup targets through the real collector runtime (the way `headroom serve` does, minus
// HTTP) and captures every log line, so tests can check samples, health and secrets.
import { createLogger } from '../../src/log.js';
import { createBackupCollector } from '../../exporters/backup/collector.js';
import { backupConfigSchema } from '../../exporters/backup/schema.js';
import type { Sample } from '../../src/metrics.js';
import { defaultHostPaths, type HostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';

export interface Harness {
  runtime: CollectorRuntime;
  logs: string[];
  refresh(target?: string): Promise<void>;
  value(metric: string, labels: Record<string, string>): number | undefined;
  samples(): Sample[];
  errorOf(target: string): string | null;
}

export function backupHarness(targets: unknown[], opts: { baseDir: string; paths?: HostPaths }): Harness {
  const config = backupConfigSchema({ baseDir: opts.baseDir }).parse({ targets });
  const logs: string[] = [];
  const log = createLogger('debug', (line) => logs.push(line));
  const runtime = new CollectorRuntime([createBackupCollector(config)], { paths: opts.paths ?? defaultHostPaths, log });
  const samples = () => runtime.snapshot();
  return {
    runtime,
    logs,
    refresh: (target) => runtime.refreshCollector('backup', target),
    samples,
    value(metric, labels) {
      const found = samples().filter((s) => s.metric.name === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (found.length > 1) throw new Error(`${found.length} samples match ${metric}${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
    errorOf(target) {
      const source = runtime.status()[0]!.sources.find((s) => s.id === target);
      if (!source) throw new Error(`no target ${target}`);
      return source.lastError;
    },
  };
}
