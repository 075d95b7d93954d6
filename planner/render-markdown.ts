// The report as Markdown, for a mailing list: the same findings as the HTML, as tables.
import type { Report } from './analyse.js';
import { escapeCell, formatBytes, formatChange, formatDate, formatRate, formatRatio, formatSeconds } from './format.js';
import { describeModel, forecastValue } from './report-text.js';

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`)].join('\n');
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const w = r.generatedFor;
  out.push(`# Capacity review`, '', `Window ${formatDate(w.start)} to ${formatDate(w.end)} (step ${w.step} s). Swap-churn budget ${formatRate(r.options.churnBudgetBytesPerSecond)}.`, '');

  out.push('## Worker hosts', '');
  if (!r.workers) out.push('No worker host had enough data (see "Missing data").', '');
  else {
    const e = r.workers;
    out.push(`Estate: **${e.canAdd}** instances can be added, **${e.mustRemove}** must be removed (net ${formatChange(e.net)}).`);
    out.push(e.pastBudget.length ? `Past the churn budget: ${e.pastBudget.join(', ')}.` : 'No host is past the churn budget.', '');
    out.push(
      table(
        ['host', 'instances', 'fit for', 'change', 'limited by', 'budget crossed at', 'memory limit', 'promise / instance', 'peak tmpfs / building instance', 'time over budget'],
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
        ]),
      ),
      '',
    );
    out.push(describeModel(), '');
    for (const h of e.hosts) {
      out.push(`### ${h.host}`, '');
      if (h.fit) out.push(`Fitted: churn = ${formatRate(h.fit.base)} + ${formatRate(h.fit.slope)} per instance above ${h.fit.knee} building instances.`, '');
      out.push(table(['building instances', 'median churn', 'samples'], h.levels.map((l) => [String(l.load), formatRate(l.medianChurn), String(l.samples)])), '');
      for (const n of h.notes) out.push(`- ${n}`);
      if (h.notes.length) out.push('');
    }
  }

  out.push('## VM hosts', '');
  const v = r.vmhosts;
  if (!v) out.push('No rebalancing proposal (see "Missing data").', '');
  else {
    out.push(
      v.moves.length
        ? `Proposal (${v.method} search, ${v.exploredNodes} nodes, at most ${v.maxMoves} moves): ${v.moves.length} move(s), ${formatBytes(v.memoryMovedBytes)} of memory moved. Highest memory overcommit ${formatRatio(v.maxBefore.memory)} → ${formatRatio(v.maxAfter.memory)}, highest vCPU overcommit ${formatRatio(v.maxBefore.vcpu)} → ${formatRatio(v.maxAfter.vcpu)}.`
        : `No move lowers the highest overcommit (${v.method} search, at most ${v.maxMoves} moves): memory ${formatRatio(v.maxBefore.memory)}, vCPU ${formatRatio(v.maxBefore.vcpu)}.`,
      '',
    );
    if (v.moves.length) out.push(table(['domain', 'from', 'to', 'memory', 'vCPUs'], v.moves.map((m) => [m.domain, m.from, m.to, formatBytes(m.memoryBytes), String(m.vcpus)])), '');
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
    out.push('Linear trend over the window; the range is the trend ± 2 standard errors of its slope (about 95 %).', '');
    out.push(
      table(
        ['host', 'what', 'resource', 'now', 'capacity', 'trend / day', 'runs out', 'range'],
        r.forecasts.map((f) => [f.host, f.kind, f.resource, forecastValue(f, f.currentUsage), forecastValue(f, f.capacity), forecastValue(f, f.slopePerDay), f.status === 'runs out' ? formatDate(f.runOut) : f.status, rangeText(f.earliest, f.latest, f.status)]),
      ),
      '',
    );
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
  if (status === 'not running out') return earliest === null ? 'not within the trend' : `not before ${formatDate(earliest)}`;
  return `${formatDate(earliest)} – ${latest === null ? 'never' : formatDate(latest)}`;
}
