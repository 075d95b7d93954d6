// The report as one self-contained HTML file: inline CSS and SVG, no scripts, nothing fetched.
import type { Report } from './analyse.js';
import type { Forecast } from './forecast.js';
import { formatBudgetValue, type Budget } from './budget.js';
import { escapeHtml as h, formatBytes, formatChange, formatDate, formatRatio, formatSeconds } from './format.js';
import { hingeValue } from './regression.js';
import { rangeText } from './render-markdown.js';
import { describeConfidence, describeModel, describeSaturation, describeThroughputConfidence, describeThroughputModel, describeObjective, describeProposal, describeSearch, forecastBasis, forecastTrend, forecastValue } from './report-text.js';
import { beforeAfterChart, levelChart, scatterChart, trendChart } from './svg.js';
import { formatBuildSeconds, type ThroughputFinding } from './throughput.js';
import type { WorkerFinding } from './workers.js';

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;color:#1d2733;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left}
th{background:#f3f5f7}.bad{color:#b42318;font-weight:600}.good{color:#1a7f37;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem;background:#fff}
.chart text{font-size:11px;fill:#57606a}.chart .axis-label{font-size:12px;fill:#1d2733}
.grid{stroke:#eaeef2}.point{fill:#6e9bd1;fill-opacity:.45}.mark{fill:#0b4f9c;stroke:#fff}
.fit{fill:none;stroke:#e36209;stroke-width:2.5}.budget{stroke:#b42318;stroke-dasharray:6 4;stroke-width:1.5}
.budget-label{fill:#b42318!important}.crossing{stroke:#8250df;stroke-dasharray:3 3}
.bar-before{fill:#d4a72c}.bar-after{fill:#2da44e}.history{fill:none;stroke:#0b4f9c;stroke-width:1.5}.trend{stroke:#e36209;stroke-width:2;stroke-dasharray:5 3}
.saturation{stroke:#1a7f37;stroke-dasharray:6 3;stroke-width:1.5}.saturation-label{fill:#1a7f37!important}.crossing-label{fill:#8250df!important}
.note{color:#57606a;font-size:.85rem}.legend span{display:inline-block;margin-right:1rem}
`;

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function workerCard(f: WorkerFinding, budget: Budget): string {
  const show = (v: number) => formatBudgetValue(budget.kind, v);
  // A multiple of 4, so the five axis labels are whole instance counts.
  const maxX = Math.ceil((Math.max(f.maxObservedLoad ?? 0, f.configuredInstances ?? 0, f.budgetCrossingLoad ?? 0) + 1) / 4) * 4;
  const curve: Array<[number, number]> = [];
  // A hinge is three points: the start, the knee, the end.
  if (f.fit) for (const x of [0, Math.min(f.fit.knee, maxX), maxX]) curve.push([x, hingeValue(f.fit, x)]);
  const chart = scatterChart({
    title: `${f.host}: ${budget.kind} vs building instances`,
    points: f.points,
    xMax: maxX,
    marks: f.levels.map((l) => [l.load, l.medianChurn] as const),
    curve,
    budget: budget.limit,
    crossing: f.budgetCrossingLoad,
    xAxis: { label: 'building instances', format: (v) => v.toFixed(0) },
    yAxis: { label: budget.kind, format: (v) => (budget.kind === 'swap churn' ? `${(v / 1e6).toFixed(0)} MB/s` : `${(v * 100).toFixed(1)} %`) },
  });
  const verdict =
    f.change === null ? 'capacity unknown' : f.change >= 0 ? `<span class="good">${formatChange(f.change)} instances fit</span>` : `<span class="bad">${formatChange(f.change)}: remove ${-f.change}</span>`;
  return `<div class="card"><h3>${h(f.host)} ${f.pastBudget ? '<span class="bad">past the budget</span>' : ''}</h3>
<p>${verdict}; configured ${f.configuredInstances ?? '–'}, capacity ${f.capacity ?? '–'} (${h(f.limitedBy ?? 'no limit found')}).
${f.fit ? `Fit: ${h(show(f.fit.base))} + ${h(show(f.fit.slope))} per instance above ${f.fit.knee}; budget crossed at ${f.budgetCrossingLoad === null ? '–' : f.budgetCrossingLoad.toFixed(2)} instances.` : ''}</p>
<ul>${f.why.map((w) => `<li>${h(w)}</li>`).join('')}<li>${h(describeConfidence(f))}</li></ul>
${chart}
<p class="legend note"><span>● points: load vs ${h(budget.kind)}</span><span>● level medians</span><span>— fitted boundary</span><span>- - budget</span></p>
${f.notes.map((n) => `<p class="note">${h(n)}</p>`).join('')}</div>`;
}

function throughputCard(t: ThroughputFinding, budget: Budget): string {
  const markers = [
    ...(t.saturation !== null ? [{ x: t.saturation, label: `stops rising at ${t.saturation}`, className: 'saturation' }] : []),
    ...(t.churnKnee !== null ? [{ x: t.churnKnee, label: `${budget.kind} knee ${t.churnKnee}`, className: 'crossing' }] : []),
  ];
  const chart = t.levels.length
    ? levelChart({
        title: `${t.host}: jobs finished per hour vs building instances`,
        levels: t.levels.map((l) => [l.instances, l.jobsPerHour] as const),
        markers,
        xAxis: { label: 'building instances', format: (v) => v.toFixed(0) },
        yAxis: { label: 'jobs / h', format: (v) => String(Number(v.toPrecision(3))) },
      })
    : '';
  return `<div class="card"><h3>${h(t.host)}${t.instance ? ` (${h(t.instance)})` : ''}</h3>
<p>${h(describeSaturation(t, budget.kind))}</p>
<ul>${t.why.map((w) => `<li>${h(w)}</li>`).join('')}<li>${h(describeThroughputConfidence(t))}</li></ul>
${chart}
${table(['building instances', 'jobs/h', 'median build time', 'points'], t.levels.map((l) => [String(l.instances), l.jobsPerHour.toFixed(1), h(formatBuildSeconds(l.medianBuildSeconds)), String(l.points)]))}
${t.notes.map((n) => `<p class="note">${h(n)}</p>`).join('')}</div>`;
}

function forecastCard(f: Forecast): string {
  const trendTo: [number, number] | null = f.status === 'runs out' && f.runOut !== null ? [f.runOut, f.capacity] : null;
  // A run-out decades away would flatten the history into a line at the left: cap the axis.
  const horizon = f.history.length ? f.history[f.history.length - 1]![0] + 365 * 86400 : 0;
  const shown = trendTo && trendTo[0] > horizon ? null : trendTo;
  const fmt = (v: number) => forecastValue(f, v);
  return `<div class="card"><h3>${h(f.host)}: ${h(f.kind)} (${h(f.resource)})</h3>
<p>${f.status === 'runs out' ? `runs out <b>${formatDate(f.runOut)}</b> (${h(rangeText(f.earliest, f.latest, f.status))})` : h(f.status)}; now ${h(fmt(f.currentUsage))} of ${h(fmt(f.capacity))}, trend ${h(forecastTrend(f))}; fitted on ${h(forecastBasis(f))}</p>${f.note ? `<p class="note">${h(f.note)}</p>` : ''}
${trendChart(`${f.host} ${f.kind}`, f.history, f.capacity, shown, { label: f.unit === 'ratio' ? 'ratio' : 'bytes', format: fmt })}</div>`;
}

export function renderHtml(r: Report): string {
  const w = r.generatedFor;
  const parts: string[] = [];
  parts.push(`<h1>Capacity review</h1><p class="note">Window ${formatDate(w.start)} to ${formatDate(w.end)} (step ${w.step} s); worker budget: ${h(r.options.budget.kind)} ${h(formatBudgetValue(r.options.budget.kind, r.options.budget.limit))}. Generated by headroom plan.</p>`);

  parts.push('<h2>Worker hosts</h2>');
  if (!r.workers) parts.push('<p>No worker host had enough data (see Missing data).</p>');
  else {
    const e = r.workers;
    parts.push(`<p>Estate: <b>${e.canAdd}</b> instances can be added, <b>${e.mustRemove}</b> must be removed (net ${formatChange(e.net)}). ${e.pastBudget.length ? `<span class="bad">Past the ${h(r.options.budget.kind)} budget: ${h(e.pastBudget.join(', '))}</span>` : `No host is past the ${h(r.options.budget.kind)} budget.`}</p>`);
    parts.push(
      table(
        ['host', 'instances', 'fit for', 'change', 'limited by', 'memory limit', 'promise / instance', 'peak tmpfs / building instance', 'time over budget'],
        e.hosts.map((f) => [h(f.host), String(f.configuredInstances ?? '–'), String(f.capacity ?? '–'), `<span class="${(f.change ?? 0) < 0 ? 'bad' : 'good'}">${formatChange(f.change)}</span>`, h(f.limitedBy ?? '–'), String(f.memoryLimit ?? '–'), formatBytes(f.promisePerInstanceBytes), formatBytes(f.peakTmpfsPerInstanceBytes), `${(f.shareOverBudget * 100).toFixed(1)} %`]),
      ),
    );
    parts.push(`<p class="note">${h(describeModel(r.options.budget))}</p>`);
    parts.push(`<div class="cards">${e.hosts.map((f) => workerCard(f, r.options.budget)).join('')}</div>`);
  }

  parts.push('<h2>Throughput</h2>');
  if (r.throughput.length === 0) parts.push('<p>No finished jobs from OBS in the window (see Missing data).</p>');
  else {
    parts.push(`<p class="note">${h(describeThroughputModel())}</p>`);
    parts.push(`<div class="cards">${r.throughput.map((t) => throughputCard(t, r.options.budget)).join('')}</div>`);
  }

  parts.push('<h2>VM hosts</h2>');
  const v = r.vmhosts;
  if (!v) parts.push('<p>No rebalancing proposal (see Missing data).</p>');
  else {
    parts.push(`<p><b>${h(describeProposal(v))}</b></p><p class="note">${h(describeObjective(v))} ${h(describeSearch(v))}</p>`);
    if (v.moves.length) parts.push(table(['domain', 'from', 'to', 'memory', 'vCPUs', 'why'], v.moves.map((m) => [h(m.domain), h(m.from), h(m.to), formatBytes(m.memoryBytes), String(m.vcpus), h(m.why)])));
    parts.push(table(['host', 'memory before', 'memory after', 'vCPU before', 'vCPU after'], v.before.map((b, i) => [h(b.host), formatRatio(b.memoryRatio), formatRatio(v.after[i]?.memoryRatio), formatRatio(b.vcpuRatio), formatRatio(v.after[i]?.vcpuRatio)])));
    parts.push(
      `<div class="cards"><div class="card">${beforeAfterChart('memory overcommit', v.before.map((b, i) => ({ label: b.host, before: b.memoryRatio, after: v.after[i]?.memoryRatio ?? 0 })), v.target)}</div><div class="card">${beforeAfterChart('vCPU overcommit', v.before.map((b, i) => ({ label: b.host, before: b.vcpuRatio, after: v.after[i]?.vcpuRatio ?? 0 })))}</div></div><p class="legend note"><span>■ before (yellow)</span><span>■ after (green)</span><span>- - memory: the target ${formatRatio(v.target)}; vCPU: 1.0</span></p>`,
    );
    if (v.pinned.length) parts.push(`<p>Pinned: ${h(v.pinned.join(', '))}.</p>`);
    for (const n of v.notes) parts.push(`<p class="note">${h(n)}</p>`);
  }

  parts.push('<h2>Forecasts</h2>');
  if (r.forecasts.length === 0) parts.push('<p>No series to forecast.</p>');
  else {
    parts.push('<p class="note">Linear trend over the window; the range is the trend ± 2 standard errors of its slope (about 95 %).</p>');
    parts.push(
      table(
        ['host', 'what', 'resource', 'now', 'capacity', 'trend', 'runs out', 'range', 'fitted on'],
        r.forecasts.map((f) => [h(f.host), h(f.kind), h(f.resource), forecastValue(f, f.currentUsage), forecastValue(f, f.capacity), h(forecastTrend(f)), f.status === 'runs out' ? formatDate(f.runOut) : h(f.status), h(rangeText(f.earliest, f.latest, f.status)), h(forecastBasis(f))]),
      ),
    );
    const charted = r.forecasts.filter((f) => f.status === 'runs out' || f.status === 'exhausted').slice(0, 8);
    if (charted.length) parts.push(`<div class="cards">${charted.map(forecastCard).join('')}</div>`);
  }

  parts.push('<h2>Backups</h2>');
  if (r.staleBackups.length === 0) parts.push(`<p>No backup target was stale in the window (${r.backupTargetsSeen} target(s) seen).</p>`);
  else {
    parts.push(table(['target', 'stale for', 'longest', 'times', 'max_age', 'stale at the end'], r.staleBackups.map((b) => [h(b.target), formatSeconds(b.staleSeconds), formatSeconds(b.longestSeconds), String(b.intervals.length), formatSeconds(b.maxAgeSeconds), b.staleAtEnd ? '<span class="bad">yes</span>' : 'no'])));
  }

  if (r.missing.length) parts.push(`<h2>Missing data</h2><ul>${r.missing.map((m) => `<li>${h(m)}</li>`).join('')}</ul>`);
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>headroom capacity review ${formatDate(w.end)}</title><style>${CSS}</style></head><body>${parts.join('\n')}</body></html>\n`;
}
