// Runs a collector module once through the real runtime (catalog validation included) on a
// fixture host, and looks up sample values for assertions.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/log.js';
import type { CollectorModule } from '../../src/collector-module.js';
import { collectorModules } from '../../exporters/index.js';
import type { Sample } from '../../src/metrics.js';
import type { HostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
export const KiB = 2 ** 10;

export const hostsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hosts');

/** The /proc, /sys and / of a fixture host under test/fixtures/hosts/<name>. */
export function fixtureHost(name: string): HostPaths {
  const dir = path.join(hostsDir, name);
  return { procfs: path.join(dir, 'proc'), sysfs: path.join(dir, 'sys'), rootfs: path.join(dir, 'root') };
}

export const silentLog = silentLogger();

// Every collector's schema, imported once: the harness builds collectors synchronously.
const schemas = new Map(await Promise.all(collectorModules.map(async (m) => [m.name, await m.configSchema()] as const)));

export interface Harness {
  runtime: CollectorRuntime;
  refresh(): Promise<Sample[]>;
  /** The last error of the collector's first source, or null. */
  error(sourceId?: string): string | null;
  ok(): boolean | null;
}

export function harness(module: CollectorModule, section: Record<string, unknown>, paths: HostPaths): Harness {
  const config = schemas.get(module.name)!({ baseDir: '/' }).parse(section);
  const collector = module.create(config as never, { paths, log: silentLog });
  if (collector instanceof Promise) throw new Error(`harness: ${module.name} is built asynchronously; host collectors are not`);
  const runtime = new CollectorRuntime([collector], { paths, log: silentLog });
  return {
    runtime,
    async refresh() {
      await runtime.refreshCollector(collector.name);
      return runtime.snapshot();
    },
    error(sourceId) {
      const sources = runtime.status()[0]!.sources;
      const s = sourceId ? sources.find((x) => x.id === sourceId) : sources[0];
      return s?.lastError ?? null;
    },
    ok() {
      return runtime.status()[0]!.ok;
    },
  };
}

/** Value of the one sample with this name and exactly these labels; undefined if absent. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = samples.filter(
    (s) =>
      s.metric.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1) throw new Error(`${matches.length} samples match ${name}${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

export function names(samples: readonly Sample[]): Set<string> {
  return new Set(samples.map((s) => s.metric.name));
}
