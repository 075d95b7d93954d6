// Reads the metric tables of the docs/ pages: rows whose first cell names metrics in backticks.
// Two shapes are in use: `| name | labels | meaning |` and `| name{labels} | meaning |`.

export interface DocumentedMetric {
  readonly name: string;
  /** Labels as the row states them, in the row's order. */
  readonly labels: readonly string[];
  readonly file: string;
  readonly line: number;
}

/** A metric table's header: its first cell is `metric` or `name`, with or without a labels column. */
const HEADER = /^\|\s*(metric|name)\s*\|(\s*labels\s*\|)?/;

/** `a, b` or `` `a`, `b` `` or `device (disk kernel name)`: the label names, parentheses dropped. */
export function parseLabels(cell: string): string[] {
  return cell
    .replace(/\([^)]*\)/g, '')
    .replace(/`/g, '')
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Every metric named in a metric table of one markdown page. */
export function documentedMetrics(file: string, markdown: string): DocumentedMetric[] {
  const out: DocumentedMetric[] = [];
  let columns: 'none' | 'inline' | 'labels' = 'none';
  markdown.split('\n').forEach((text, index) => {
    const header = HEADER.exec(text);
    if (header) {
      columns = header[2] ? 'labels' : 'inline';
      return;
    }
    if (!text.startsWith('|')) {
      columns = 'none';
      return;
    }
    if (columns === 'none' || /^\|\s*-/.test(text)) return;
    const cells = text.split('|').slice(1, -1).map((c) => c.trim());
    const names = [...cells[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    for (const written of names) {
      const inline = /^([^{]+)\{([^}]*)\}$/.exec(written);
      const name = inline ? inline[1]! : written;
      const labels = columns === 'labels' ? parseLabels(cells[1] ?? '') : inline ? parseLabels(inline[2]!) : [];
      out.push({ name, labels, file, line: index + 1 });
    }
  });
  return out;
}
