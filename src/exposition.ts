import { createRequire } from 'node:module';
import type { Registry as PromRegistry } from 'prom-client';
import type { MetricDef, Sample } from './metrics.js';

// Only prom-client's Registry (and its text format) is used: its index also loads every metric
// type and the default-metrics machinery, ~11 MB of resident memory the exporter never uses.
const Registry = createRequire(import.meta.url)('prom-client/lib/registry') as typeof PromRegistry;

interface MetricValue {
  labels: Record<string, string>;
  value: number;
}

/**
 * A prom-client metric that reports whatever the current snapshot holds for it. prom-client's
 * own Gauge cannot be used: after reset() a label-less Gauge reports 0, but the contract says a
 * series is absent until its source has been collected.
 */
class SnapshotMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricDef['type'];

  constructor(
    def: MetricDef,
    private readonly current: () => ReadonlyMap<string, MetricValue[]>,
  ) {
    this.name = def.name;
    this.help = def.help;
    this.type = def.type;
  }

  get() {
    return { name: this.name, help: this.help, type: this.type, values: this.current().get(this.name) ?? [], aggregator: 'sum' };
  }
}

/**
 * Turns snapshots into the Prometheus text format through a prom-client registry built once
 * from the catalog. Renders are serialised because the registry reads one shared snapshot.
 */
export class Exposition {
  readonly registry = new Registry();
  private current: ReadonlyMap<string, MetricValue[]> = new Map();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(catalog: readonly MetricDef[]) {
    for (const def of catalog) this.registry.registerMetric(new SnapshotMetric(def, () => this.current) as never);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(samples: readonly Sample[]): Promise<string> {
    const run = this.queue.then(() => {
      const grouped = new Map<string, MetricValue[]>();
      for (const s of samples) {
        let values = grouped.get(s.metric.name);
        if (!values) grouped.set(s.metric.name, (values = []));
        values.push({ labels: s.labels as Record<string, string>, value: s.value });
      }
      this.current = grouped;
      return this.registry.metrics();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
