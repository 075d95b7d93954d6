// A small reader of the Prometheus text format for assertions: test code, independent of the
// exporter's own rendering.

export interface ParsedSeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m;
  while ((m = re.exec(text))) {
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

export function parseMetricsText(text: string): ParsedSeries[] {
  const out: ParsedSeries[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) throw new Error(`unparseable metrics line: ${line}`);
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    out.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value });
  }
  return out;
}

/** The value of the one series matching name and (a subset of) labels; undefined if none. Throws if several match. */
export function valueOf(series: ParsedSeries[], name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${matches.length} series match ${name}${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ text: string; series: ParsedSeries[]; response: Response }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { text, series: parseMetricsText(text), response };
}
