// Inline SVG charts: no scripts, no fonts or images from elsewhere, so the report opens offline.
import { escapeHtml } from './format.js';

export interface Axis {
  readonly label: string;
  readonly format: (v: number) => string;
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

const PAD = { left: 64, right: 16, top: 16, bottom: 40 };

function scaleX(f: Frame, x: number): number {
  return PAD.left + ((x - f.x0) / (f.x1 - f.x0 || 1)) * (f.width - PAD.left - PAD.right);
}
function scaleY(f: Frame, y: number): number {
  return f.height - PAD.bottom - ((y - f.y0) / (f.y1 - f.y0 || 1)) * (f.height - PAD.top - PAD.bottom);
}
const n = (v: number) => (Math.round(v * 10) / 10).toString();

/** A round tick spacing (1, 2, 2.5 or 5 × 10^k) giving about `count` ticks over `span`. */
export function niceStep(span: number, count = 4): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
}

/** Ticks at multiples of a round step; the frame's top is stretched to the last tick. */
function ticks(from: number, to: number, count = 4): number[] {
  const step = niceStep(to - from, count);
  const out: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to + step * 1e-9; v += step) out.push(v);
  return out;
}

function niceTop(y0: number, y1: number): number {
  const step = niceStep(y1 - y0);
  return Math.ceil(y1 / step - 1e-9) * step;
}

function axes(f: Frame, xAxis: Axis, yAxis: Axis, xTicks = true): string {
  const parts: string[] = [];
  for (const yv of ticks(f.y0, f.y1)) {
    const y = scaleY(f, yv);
    parts.push(`<line x1="${PAD.left}" x2="${f.width - PAD.right}" y1="${n(y)}" y2="${n(y)}" class="grid"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${n(y + 4)}" text-anchor="end">${escapeHtml(yAxis.format(yv))}</text>`);
  }
  if (xTicks) {
    for (let i = 0; i <= 4; i++) {
      const xv = f.x0 + ((f.x1 - f.x0) * i) / 4;
      parts.push(`<text x="${n(scaleX(f, xv))}" y="${f.height - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(xAxis.format(xv))}</text>`);
    }
  }
  parts.push(`<text x="${n((PAD.left + f.width - PAD.right) / 2)}" y="${f.height - 6}" text-anchor="middle" class="axis-label">${escapeHtml(xAxis.label)}</text>`);
  parts.push(`<text x="12" y="${n(f.height / 2)}" text-anchor="middle" class="axis-label" transform="rotate(-90 12 ${n(f.height / 2)})">${escapeHtml(yAxis.label)}</text>`);
  return parts.join('');
}

function svg(f: Frame, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${body}</svg>`;
}

export interface ScatterChart {
  readonly title: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** Right end of the x axis (the data's maximum when absent). */
  readonly xMax?: number;
  /** Highlighted points (level medians). */
  readonly marks: ReadonlyArray<readonly [number, number]>;
  /** A fitted curve, sampled. */
  readonly curve: ReadonlyArray<readonly [number, number]>;
  readonly budget: number;
  /** A vertical marker (the budget crossing), if any. */
  readonly crossing: number | null;
  readonly xAxis: Axis;
  readonly yAxis: Axis;
}

/** Clip-path ids, unique within one report. */
let clipIds = 0;

export function scatterChart(c: ScatterChart, width = 560, height = 300): string {
  const xs = [...c.points, ...c.curve].map(([x]) => x);
  // The fitted line may climb far past the data: it is clipped to the data's range.
  const ys = [...c.points, ...c.marks].map(([, y]) => y);
  const f: Frame = {
    width,
    height,
    x0: Math.min(0, ...xs),
    x1: c.xMax ?? Math.max(1, ...xs, c.crossing ?? 0),
    y0: 0,
    y1: niceTop(0, Math.max(c.budget * 1.25, ...ys) || 1),
  };
  const body = [axes(f, c.xAxis, c.yAxis)];
  body.push(...c.points.map(([x, y]) => `<circle cx="${n(scaleX(f, x))}" cy="${n(scaleY(f, y))}" r="2" class="point"/>`));
  if (c.curve.length > 1) {
    const clip = `plot-${++clipIds}`;
    body.push(`<clipPath id="${clip}"><rect x="${PAD.left}" y="${PAD.top}" width="${width - PAD.left - PAD.right}" height="${height - PAD.top - PAD.bottom}"/></clipPath>`);
    body.push(`<polyline class="fit" clip-path="url(#${clip})" points="${c.curve.map(([x, y]) => `${n(scaleX(f, x))},${n(scaleY(f, y))}`).join(' ')}"/>`);
  }
  body.push(...c.marks.map(([x, y]) => `<circle cx="${n(scaleX(f, x))}" cy="${n(scaleY(f, y))}" r="4" class="mark"/>`));
  const by = scaleY(f, c.budget);
  body.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${n(by)}" y2="${n(by)}" class="budget"/>`);
  body.push(`<text x="${width - PAD.right - 4}" y="${n(by - 4)}" text-anchor="end" class="budget-label">budget ${escapeHtml(c.yAxis.format(c.budget))}</text>`);
  if (c.crossing !== null) {
    const cx = scaleX(f, c.crossing);
    body.push(`<line x1="${n(cx)}" x2="${n(cx)}" y1="${PAD.top}" y2="${height - PAD.bottom}" class="crossing"/>`);
  }
  return svg(f, c.title, body.join(''));
}

export interface BarGroup {
  readonly label: string;
  readonly before: number;
  readonly after: number;
}

/** Before/after bars per host, with a line at 1 (no overcommit). */
/** Bars before and after per host, with a dashed line at `reference` (the target, or 1.0). */
export function beforeAfterChart(title: string, groups: readonly BarGroup[], reference = 1, width = 560, height = 260): string {
  const f: Frame = { width, height, x0: 0, x1: Math.max(1, groups.length), y0: 0, y1: niceTop(0, Math.max(1.2 * reference, ...groups.flatMap((g) => [g.before, g.after])) * 1.05) };
  const body = [axes(f, { label: '', format: () => '' }, { label: title, format: (v) => v.toFixed(2) }, false)];
  const slot = (width - PAD.left - PAD.right) / Math.max(1, groups.length);
  groups.forEach((g, i) => {
    const x = PAD.left + i * slot + slot * 0.15;
    const w = slot * 0.32;
    for (const [k, v] of [['before', g.before], ['after', g.after]] as const) {
      const y = scaleY(f, v);
      const bx = k === 'before' ? x : x + w + 2;
      body.push(`<rect x="${n(bx)}" y="${n(y)}" width="${n(w)}" height="${n(height - PAD.bottom - y)}" class="bar-${k}"><title>${escapeHtml(`${g.label} ${k}: ${v.toFixed(2)}`)}</title></rect>`);
    }
    body.push(`<text x="${n(x + w)}" y="${height - PAD.bottom + 16}" text-anchor="middle">${escapeHtml(g.label)}</text>`);
  });
  const one = scaleY(f, reference);
  body.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${n(one)}" y2="${n(one)}" class="budget"/>`);
  return svg(f, title, body.join(''));
}

/** History, the fitted trend extended to the run-out date, and the capacity line. */
export function trendChart(
  title: string,
  history: ReadonlyArray<readonly [number, number]>,
  capacity: number,
  trendTo: readonly [number, number] | null,
  yAxis: Axis,
  width = 560,
  height = 200,
): string {
  const pts = trendTo ? [...history, trendTo] : [...history];
  if (pts.length === 0) return '';
  const f: Frame = {
    width,
    height,
    x0: pts[0]![0],
    x1: Math.max(...pts.map(([t]) => t)),
    y0: 0,
    y1: niceTop(0, Math.max(capacity, ...pts.map(([, v]) => v)) * 1.05 || 1),
  };
  const body = [axes(f, { label: 'date', format: (t) => new Date(t * 1000).toISOString().slice(5, 10) }, yAxis)];
  body.push(`<polyline class="history" points="${history.map(([t, v]) => `${n(scaleX(f, t))},${n(scaleY(f, v))}`).join(' ')}"/>`);
  const last = history[history.length - 1];
  if (trendTo && last) {
    body.push(`<line class="trend" x1="${n(scaleX(f, last[0]))}" y1="${n(scaleY(f, last[1]))}" x2="${n(scaleX(f, trendTo[0]))}" y2="${n(scaleY(f, trendTo[1]))}"/>`);
  }
  const cy = scaleY(f, capacity);
  body.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${n(cy)}" y2="${n(cy)}" class="budget"/>`);
  return svg(f, title, body.join(''));
}

export interface LevelChart {
  readonly title: string;
  /** (x, y) per level, x ascending: joined by a line, each marked. */
  readonly levels: ReadonlyArray<readonly [number, number]>;
  /** Vertical markers with their labels (where throughput stops rising, the budget's knee). */
  readonly markers: ReadonlyArray<{ readonly x: number; readonly label: string; readonly className: string }>;
  readonly xAxis: Axis;
  readonly yAxis: Axis;
}

/** A value per whole count (jobs/h per building instances), with labelled vertical markers. */
export function levelChart(c: LevelChart, width = 560, height = 260): string {
  const xs = [...c.levels.map(([x]) => x), ...c.markers.map((m) => m.x)];
  const f: Frame = { width, height, x0: 0, x1: Math.ceil((Math.max(1, ...xs) + 1) / 4) * 4, y0: 0, y1: niceTop(0, Math.max(...c.levels.map(([, y]) => y)) * 1.1 || 1) };
  const body = [axes(f, c.xAxis, c.yAxis)];
  body.push(`<polyline class="fit" points="${c.levels.map(([x, y]) => `${n(scaleX(f, x))},${n(scaleY(f, y))}`).join(' ')}"/>`);
  body.push(...c.levels.map(([x, y]) => `<circle cx="${n(scaleX(f, x))}" cy="${n(scaleY(f, y))}" r="4" class="mark"/>`));
  c.markers.forEach((m, i) => {
    const x = scaleX(f, m.x);
    body.push(`<line x1="${n(x)}" x2="${n(x)}" y1="${PAD.top}" y2="${height - PAD.bottom}" class="${m.className}"/>`);
    body.push(`<text x="${n(x + 4)}" y="${PAD.top + 12 + 14 * i}" class="${m.className}-label">${escapeHtml(m.label)}</text>`);
  });
  return svg(f, c.title, body.join(''));
}
