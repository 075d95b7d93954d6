import type { Sample } from '../../src/metrics.js';

/** The value of the one sample of `name` whose labels include `labels`; undefined if none; throws if several. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.metric.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} series match ${name}`);
  return found[0]?.value;
}
