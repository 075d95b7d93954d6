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

export function formatDate(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined || !Number.isFinite(unixSeconds)) return '–';
  const d = new Date(unixSeconds * 1000);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() > 9999 ? 'after 9999' : d.toISOString().slice(0, 10);
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
