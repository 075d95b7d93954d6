// The report as Markdown, for a mailing list: the same findings as the HTML, as tables.
import type { Report } from './analyse.js';
import { formatBudgetValue } from './budget.js';
import { escapeCell, formatBytes, formatChange, formatDate, formatRatio, formatSeconds } from './format.js';
import { HORIZON_SECONDS } from './forecast.js';
import { formatBuildSeconds } from './throughput.js';
import { describeConfidence, describeModel, describeSaturation, describeThroughputConfidence, describeThroughputModel, describeObjective, describeProposal, describeSearch, forecastBasis, forecastTrend, forecastValue } from './report-text.js';

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`)].join('\n');
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const w = r.generatedFor;
  out.push(`# Capacity review`, '', `Window ${formatDate(w.start)} to ${formatDate(w.end)} (step ${w.step} s). Worker budget: ${r.options.budget.kind} ${formatBudgetValue(r.options.budget.kind, r.options.budget.limit)}.`, '');

  out.push('## Worker hosts', '');
  if (!r.workers) out.push('No worker host had enough data (see "Missing data").', '');
  else {
    const e = r.workers;
    out.push(`Estate: **${e.canAdd}** instances can be added, **${e.mustRemove}** must be removed (net ${formatChange(e.net)}).`);
    out.push(e.pastBudget.length ? `Past the ${r.options.budget.kind} budget: ${e.pastBudget.join(', ')}.` : `No host is past the ${r.options.budget.kind} budget.`, '');
    out.push(
      table(
        ['host', 'instances', 'fit for', 'change', 'limited by', 'budget crossed at', 'memory limit', 'promise / instance', 'peak tmpfs / building instance', 'time over budget', 'confidence'],
        e.hosts.map((h) => [
          h.host,
          String(h.configuredInstances ?? '–'),
          String(h.capacity ?? '–'),
          formatChange(h.change),
          h.limitedBy ?? '–',
          h.budgetCrossingLoad === null ? '–' : `${h.budgetCrossingLoad.toFixed(2)} instances`,
          String(h.memoryLimit ?? '–'),
          formatBytes(h.promisePerInstanceBytes),
          formatBytes(h.peakTmpfsPerInstanceBytes),
          `${(h.shareOverBudget * 100).toFixed(1)} %`,
          h.confidence.rating,
        ]),
      ),
      '',
    );
    out.push(describeModel(r.options.budget), '');
    for (const h of e.hosts) {
      out.push(`### ${h.host}`, '');
      const kind = r.options.budget.kind;
      for (const line of h.why) out.push(`- ${line}`);
      out.push(`- ${describeConfidence(h)}`, '');
      out.push(table(['building instances', `median ${kind}`, 'samples'], h.levels.map((l) => [String(l.load), formatBudgetValue(kind, l.medianChurn), String(l.samples)])), '');
      for (const n of h.notes) out.push(`- ${n}`);
      if (h.notes.length) out.push('');
    }
  }

  out.push('## Throughput', '');
  if (r.throughput.length === 0) out.push('No finished jobs from OBS in the window (see "Missing data").', '');
  else {
    const kind = r.options.budget.kind;
    out.push(
      table(
        ['OBS worker host', 'instance', 'throughput', `${kind} knee`, `${kind} allows`, 'confidence'],
        r.throughput.map((t) => [t.host, t.instance ?? '–', t.saturation === null ? `still rising at ${t.maxObserved ?? '–'}` : `stops rising at ${t.saturation}`, String(t.churnKnee ?? '–'), String(t.churnLimit ?? '–'), t.confidence.rating]),
      ),
      '',
      describeThroughputModel(),
      '',
    );
    for (const t of r.throughput) {
      out.push(`### ${t.host}: ${describeSaturation(t, kind)}`, '');
      for (const line of t.why) out.push(`- ${line}`);
      out.push(`- ${describeThroughputConfidence(t)}`, '');
      out.push(table(['building instances', 'jobs/h', 'median build time', 'points'], t.levels.map((l) => [String(l.instances), l.jobsPerHour.toFixed(1), formatBuildSeconds(l.medianBuildSeconds), String(l.points)])), '');
      for (const n of t.notes) out.push(`- ${n}`);
      if (t.notes.length) out.push('');
    }
  }

  out.push('## VM hosts', '');
  const v = r.vmhosts;
  if (!v) out.push('No rebalancing proposal (see "Missing data").', '');
  else {
    out.push(describeProposal(v), '', describeObjective(v), describeSearch(v), '');
    if (v.moves.length) out.push(table(['domain', 'from', 'to', 'memory', 'vCPUs', 'why'], v.moves.map((m) => [m.domain, m.from, m.to, formatBytes(m.memoryBytes), String(m.vcpus), m.why])), '');
    out.push(
      table(
        ['host', 'memory before', 'memory after', 'vCPU before', 'vCPU after'],
        v.before.map((b, i) => [b.host, formatRatio(b.memoryRatio), formatRatio(v.after[i]?.memoryRatio), formatRatio(b.vcpuRatio), formatRatio(v.after[i]?.vcpuRatio)]),
      ),
      '',
    );
    if (v.pinned.length) out.push(`Pinned: ${v.pinned.join(', ')}.`, '');
    for (const n of v.notes) out.push(`- ${n}`);
  }

  out.push('## Forecasts', '');
  if (r.forecasts.length === 0) out.push('No series to forecast.', '');
  else {
    out.push(`Linear trend over the window (since the step, when the series stepped once); the range is the trend ± 2 standard errors of its slope (about 95 %). Dates beyond ${HORIZON_SECONDS / (365.25 * 86400)} years read as not running out.`, '');
    out.push(
      table(
        ['host', 'what', 'resource', 'now', 'capacity', 'trend', 'runs out', 'range', 'fitted on'],
        r.forecasts.map((f) => [f.host, f.kind, f.resource, forecastValue(f, f.currentUsage), forecastValue(f, f.capacity), forecastTrend(f), f.status === 'runs out' ? formatDate(f.runOut) : f.status, rangeText(f.earliest, f.latest, f.status), forecastBasis(f)]),
      ),
      '',
    );
    for (const f of r.forecasts) if (f.note) out.push(`- ${f.host} ${f.resource}: ${f.note}`);
    if (r.forecasts.some((f) => f.note)) out.push('');
  }

  out.push('## Backups', '');
  if (r.staleBackups.length === 0) out.push(`No backup target was stale in the window (${r.backupTargetsSeen} target(s) seen).`, '');
  else {
    out.push(
      table(
        ['target', 'stale for', 'longest', 'times', 'max_age', 'stale at the end'],
        r.staleBackups.map((b) => [b.target, formatSeconds(b.staleSeconds), formatSeconds(b.longestSeconds), String(b.intervals.length), formatSeconds(b.maxAgeSeconds), b.staleAtEnd ? 'yes' : 'no']),
      ),
      '',
    );
  }

  if (r.missing.length) {
    out.push('## Missing data', '');
    for (const m of r.missing) out.push(`- ${m}`);
    out.push('');
  }
  return out.join('\n');
}

export function rangeText(earliest: number | null, latest: number | null, status: string): string {
  if (status === 'too little data' || status === 'exhausted') return '–';
  if (status === 'not running out') return earliest === null ? `not within ${HORIZON_SECONDS / (365.25 * 86400)} years` : `at the steepest, ${formatDate(earliest)}`;
  return `${formatDate(earliest)} – ${latest === null ? `beyond ${HORIZON_SECONDS / (365.25 * 86400)} years` : formatDate(latest)}`;
}
