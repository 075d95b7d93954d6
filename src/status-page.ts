import type { CollectorStatus } from './runtime.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function when(seconds: number | null, now: number): string {
  if (seconds === null) return 'never';
  const age = Math.max(0, Math.round(now - seconds));
  return `${new Date(seconds * 1000).toISOString()} (${age}s ago)`;
}

/** The small page at `/`: each collector, its sources, when they last worked and why they last failed. */
export function renderStatusPage(input: { version: string; telemetryPath: string; collectors: CollectorStatus[]; now?: number }): string {
  const now = input.now ?? Date.now() / 1000;
  const rows = input.collectors.flatMap((c) =>
    c.sources.map((s) => {
      const state = s.ok === null ? 'pending' : s.ok ? 'ok' : 'failing';
      const source = s.id === c.name ? '' : escapeHtml(s.id);
      return `<tr class="${state}"><td>${escapeHtml(c.name)}</td><td>${source}</td><td>${state}</td><td>${s.background ? 'background' : 'at scrape'}</td><td>${when(s.lastSuccessSeconds, now)}</td><td>${s.lastDurationSeconds === null ? '' : s.lastDurationSeconds.toFixed(3) + 's'}</td><td>${s.series}</td><td>${s.lastError ? escapeHtml(s.lastError) : ''}</td><td>${s.notes.map(escapeHtml).join('<br>')}</td></tr>`;
    }),
  );
  const body =
    rows.length > 0
      ? `<table><thead><tr><th>collector</th><th>source</th><th>state</th><th>refresh</th><th>last success</th><th>duration</th><th>series</th><th>last error</th><th>notes</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`
      : '<p>No collectors are enabled.</p>';
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>headroom exporter</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}tr.failing td{background:#fdd}tr.pending td{background:#ffd}</style>
</head><body>
<h1>headroom exporter</h1>
<p>Version ${escapeHtml(input.version)}. Metrics: <a href="${escapeHtml(input.telemetryPath)}">${escapeHtml(input.telemetryPath)}</a>. Health: <a href="/healthz">/healthz</a>.</p>
${body}
</body></html>
`;
}
