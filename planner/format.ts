// Human formatting shared by the HTML and Markdown reports.

export { formatBytes } from '../src/units.js';

/** Churn is budgeted in decimal MB/s, as the issue and disk vendors state rates. */
export function formatRate(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return '–';
  return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
}

export function formatRatio(r: number | null | undefined): string {
  return r === null || r === undefined || !Number.isFinite(r) ? '–' : r.toFixed(2);
}

/** YYYY-MM-DD, or with the time (UTC) when the hour matters. Forecasts cap their dates (see forecast.ts). */
export function formatDate(unixSeconds: number | null | undefined, withTime = false): string {
  if (unixSeconds === null || unixSeconds === undefined || !Number.isFinite(unixSeconds)) return '–';
  const d = new Date(unixSeconds * 1000);
  if (Number.isNaN(d.getTime())) return '–';
  return withTime ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : d.toISOString().slice(0, 10);
}

/** A rate of change with its sign and three significant digits, so a small trend does not read as 0.00. */
export function formatSignificant(v: number): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  return `${v > 0 ? '+' : '−'}${Number(Math.abs(v).toPrecision(3))}`;
}

export function formatSeconds(s: number): string {
  if (s >= 2 * 86400) return `${(s / 86400).toFixed(1)} d`;
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 60)} min`;
}

export function formatChange(n: number | null): string {
  if (n === null) return '–';
  return n > 0 ? `+${n}` : String(n);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markdown table cells: pipes and newlines would break the row. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
