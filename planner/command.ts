// `headroom plan`: fetch the window from Prometheus, analyse, write the reports. The CLI block
// in src/cli.ts only parses flags and calls runPlan.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyse, TooLittleDataError, type Report } from './analyse.js';
import { budgetOf, type PlannerConfig, type ReportFormat } from './config.js';
import { PrometheusQueryError, PrometheusUnreachableError, prometheusClient } from './prometheus-api.js';
import { fetchPlannerData, type Progress } from './queries.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { chooseStep } from './step.js';
import { formatChange } from './format.js';
import { describeBudget } from './budget.js';
import { describeSaturation } from './report-text.js';

export const EXIT_PROMETHEUS = 1;
export const EXIT_TOO_LITTLE_DATA = 3;

export interface PlanRun {
  readonly prometheusUrl: string;
  readonly config: PlannerConfig;
  readonly outDir: string;
  /** The window's end; now unless given (reports for a past date). */
  readonly end?: number;
  readonly stderr: NodeJS.WriteStream;
  readonly stdout: NodeJS.WritableStream;
}

const FILE_NAMES: Record<ReportFormat, string> = { html: 'capacity-report.html', md: 'capacity-report.md', json: 'capacity-report.json' };

/** One line on a terminal, redrawn; nothing when stderr is a file or a pipe. */
export function terminalProgress(stderr: NodeJS.WriteStream): Progress {
  if (!stderr.isTTY) return () => {};
  return (done, total, about) => {
    const width = 20;
    const filled = Math.round((done / total) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${done === total ? 'analysing' : `querying ${about}`}`;
    stderr.write(`\r\x1b[2K${line}`);
    if (done === total) stderr.write('\r\x1b[2K');
  };
}

export function renderReport(report: Report, format: ReportFormat): string {
  if (format === 'html') return renderHtml(report);
  if (format === 'md') return renderMarkdown(report);
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Runs the planner; resolves with the exit status. */
export async function runPlan(run: PlanRun): Promise<number> {
  const end = Math.floor(run.end ?? Date.now() / 1000);
  const windowSeconds = Math.floor(run.config.window / 1000);
  const step = chooseStep(windowSeconds);
  const window = { start: end - windowSeconds, end, step };
  const client = prometheusClient(run.prometheusUrl, run.config.prometheus_auth ? { auth: run.config.prometheus_auth } : {});
  let report: Report;
  try {
    const budget = budgetOf(run.config);
    const moveBackGuardSeconds = Math.floor(run.config.move_back_guard / 1000);
    const data = await fetchPlannerData(client, window, { budget: budget.kind, moveBackGuardSeconds }, terminalProgress(run.stderr));
    report = analyse(data, {
      budget,
      pinned: run.config.pinned_domains,
      maxMoves: run.config.max_moves,
      overcommitTarget: run.config.overcommit_target,
      obsWorkerHosts: run.config.obs_worker_hosts,
    });
  } catch (err) {
    if (run.stderr.isTTY) run.stderr.write('\r\x1b[2K');
    if (err instanceof PrometheusUnreachableError || err instanceof PrometheusQueryError) {
      run.stderr.write(`headroom plan: ${err.message}\n`);
      return EXIT_PROMETHEUS;
    }
    if (err instanceof TooLittleDataError) {
      run.stderr.write(`headroom plan: ${err.message}\n`);
      return EXIT_TOO_LITTLE_DATA;
    }
    throw err;
  }
  for (const m of report.missing) run.stderr.write(`headroom plan: missing: ${m}\n`);
  mkdirSync(run.outDir, { recursive: true });
  for (const format of run.config.formats) {
    const file = path.join(run.outDir, FILE_NAMES[format]);
    writeFileSync(file, renderReport(report, format));
    run.stdout.write(`wrote ${file}\n`);
  }
  if (report.workers) {
    const w = report.workers;
    run.stdout.write(`worker hosts (budget: ${describeBudget(report.options.budget)}): ${w.canAdd} instances can be added, ${w.mustRemove} must be removed (net ${formatChange(w.net)})${w.pastBudget.length ? `; past the budget: ${w.pastBudget.join(', ')}` : ''}\n`);
  }
  for (const t of report.throughput) run.stdout.write(`throughput ${t.host}: ${describeSaturation(t, report.options.budget.kind)}\n`);
  if (report.vmhosts) {
    const v = report.vmhosts;
    run.stdout.write(`VM hosts: ${v.moves.length ? v.moves.map((m) => `move ${m.domain} ${m.from} -> ${m.to}`).join('; ') : v.overTargetBefore > 0 ? 'no move within max_moves lowers the memory over the target' : `every host within the memory overcommit target ${v.target}: no moves`}\n`);
  }
  return 0;
}
