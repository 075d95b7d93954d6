// Collectors for the engine tests: defineCollector, with their metrics under headroom_test_*.
import { defineCollector, type CollectContext, type Collector, type Source } from '../../src/collector.js';
import type { MetricDef, Sample } from '../../src/metrics.js';
import type { Schedule } from '../../src/schedule.js';

/** A collector of several sources whose catalog lives under headroom_test_*. */
export function testCollector(name: string, metrics: readonly MetricDef[], sources: readonly Source[]): Collector {
  return defineCollector({ name, subsystems: ['test'], metrics, sources });
}

/** A collector with one source named after it. */
export function oneSourceCollector(def: {
  name: string;
  metrics: readonly MetricDef[];
  timeoutMs: number;
  schedule?: Schedule;
  collect(ctx: CollectContext): Promise<Sample[]>;
}): Collector {
  const source: Source = { id: def.name, timeoutMs: def.timeoutMs, collect: def.collect, ...(def.schedule ? { schedule: def.schedule } : {}) };
  return testCollector(def.name, def.metrics, [source]);
}
