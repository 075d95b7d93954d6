// The Prometheus text format (version 0.0.4), written directly: one pass over the samples, no
// recursion and no argument spreading, so a source with hundreds of thousands of series renders
// like a small one, and no third-party registry has to be reached through its private modules.
import type { MetricDef, Sample } from './metrics.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** HELP text: the format escapes only backslash and line feed there. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const LABEL_VALUE_SPECIALS = /[\\"\n]/;

/** A label value: backslash, double quote and line feed are escaped; everything else is kept. */
export function escapeLabelValue(value: string): string {
  // Most values have nothing to escape: test once instead of running three replaces.
  if (!LABEL_VALUE_SPECIALS.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as the format spells it (Go's ParseFloat reads NaN, +Inf and -Inf). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Catalog entry prepared once: its header lines and label names with their `="` prefix. */
interface PreparedMetric {
  readonly header: string;
  readonly labelPrefixes: readonly string[];
  readonly labels: readonly string[];
  /** Histograms: the `le` values of the buckets, +Inf last. */
  readonly le: readonly string[];
}

/**
 * Turns snapshots into the text format. Metrics come out in catalog order with HELP and TYPE
 * even when a metric has no series yet (as before); series of one metric stay together.
 */
export class Exposition {
  readonly contentType = EXPOSITION_CONTENT_TYPE;
  private readonly prepared = new Map<MetricDef, PreparedMetric>();
  private readonly order: MetricDef[];

  constructor(catalog: readonly MetricDef[]) {
    this.order = [...catalog];
    for (const def of catalog) {
      this.prepared.set(def, {
        header: `# HELP ${def.name} ${escapeHelp(def.help)}\n# TYPE ${def.name} ${def.type}\n`,
        labels: def.labels,
        labelPrefixes: def.labels.map((l, i) => `${i === 0 ? '{' : ','}${l}="`),
        le: def.type === 'histogram' ? [...(def.buckets ?? []).map(formatValue), '+Inf'] : [],
      });
    }
  }

  /** The exposition text of `samples`; a sample of a metric outside the catalog is an error. */
  render(samples: readonly Sample[]): string {
    const byMetric = new Map<MetricDef, Sample[]>();
    for (const s of samples) {
      let group = byMetric.get(s.metric);
      if (!group) {
        if (!this.prepared.has(s.metric)) throw new Error(`metric ${s.metric.name} is not in the exposition catalog`);
        byMetric.set(s.metric, (group = []));
      }
      group.push(s);
    }
    let out = '';
    for (const def of this.order) {
      const p = this.prepared.get(def)!;
      out += p.header;
      const group = byMetric.get(def);
      if (!group) continue;
      for (const s of group) {
        let labels = '';
        for (let i = 0; i < p.labels.length; i++) labels += p.labelPrefixes[i] + escapeLabelValue(s.labels[p.labels[i]!] ?? '') + '"';
        if (def.type === 'histogram') {
          out += histogramLines(def.name, labels, p.le, s);
          continue;
        }
        out += def.name + (p.labels.length > 0 ? labels + '}' : '') + ' ' + formatValue(s.value) + '\n';
      }
    }
    return out;
  }
}

/** `labels` is the series' label text without its closing brace (empty for no labels). */
function histogramLines(name: string, labels: string, le: readonly string[], s: Sample): string {
  const open = labels === '' ? '{' : labels + ',';
  const cumulative = s.histogram?.cumulative ?? [];
  let out = '';
  for (let i = 0; i < le.length; i++) {
    const n = i < le.length - 1 ? (cumulative[i] ?? 0) : s.value;
    out += `${name}_bucket${open}le="${le[i]}"} ${formatValue(n)}\n`;
  }
  const close = labels === '' ? '' : labels + '}';
  return out + `${name}_sum${close} ${formatValue(s.histogram?.sum ?? 0)}\n${name}_count${close} ${formatValue(s.value)}\n`;
}
