// Flags of `headroom plan` merged over the config's planner section, then runPlan.
import { REPORT_FORMATS, parseRate, parseShare, plannerConfigOf, type PlannerConfig, type ReportFormat } from './config.js';
import { runPlan } from './command.js';
import { parseDuration } from '../src/units.js';

export interface PlanFlags {
  readonly 'prometheus.url'?: string;
  readonly window?: string;
  readonly out: string;
  readonly format?: string;
  readonly churnBudget?: string;
  readonly stallBudget?: string;
  readonly target?: string;
  readonly moveBackGuard?: string;
  readonly maxMoves?: string;
  readonly end?: string;
}

/** Exit status for a usage error, as for every other headroom command. */
const EXIT_USAGE = 2;

class UsageError extends Error {}

function parseEnd(text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(n)) throw new UsageError(`--end: ${JSON.stringify(text)} is neither Unix seconds nor an RFC 3339 date`);
  return n;
}

export function mergeFlags(flags: PlanFlags, fromFile: PlannerConfig): { config: PlannerConfig; url: string; end?: number } {
  const url = flags['prometheus.url'] ?? fromFile.prometheus_url;
  if (!url) throw new UsageError('no Prometheus to ask: give --prometheus.url or planner.prometheus_url in the config');
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--prometheus.url: ${JSON.stringify(url)} is not a URL (e.g. http://prometheus:9090)`);
  }
  let config = fromFile;
  if (flags.window !== undefined) {
    const ms = parseDuration(flags.window);
    if (ms === null || ms < 3_600_000) throw new UsageError(`--window: ${JSON.stringify(flags.window)} is not a duration of at least 1h (use 7d, 28d, 12w)`);
    config = { ...config, window: ms };
  }
  if (flags.format !== undefined) {
    const formats = flags.format.split(',').map((f) => f.trim()).filter(Boolean);
    const bad = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
    if (bad.length || formats.length === 0) throw new UsageError(`--format: ${JSON.stringify(flags.format)}: use a comma-separated list of ${REPORT_FORMATS.join(', ')}`);
    config = { ...config, formats: formats as ReportFormat[] };
  }
  if (flags.churnBudget !== undefined && flags.stallBudget !== undefined) {
    throw new UsageError('--churn-budget and --stall-budget: the worker budget is one or the other');
  }
  if (flags.churnBudget !== undefined) {
    const rate = parseRate(flags.churnBudget);
    if (rate === null || rate <= 0) throw new UsageError(`--churn-budget: ${JSON.stringify(flags.churnBudget)} is not a positive rate (use 20MB/s)`);
    // The flag picks the budget: a memory_stall_budget in the config no longer applies.
    const { memory_stall_budget: _, ...rest } = config;
    config = { ...rest, swap_churn_budget: rate };
  }
  if (flags.stallBudget !== undefined) {
    const share = parseShare(flags.stallBudget);
    if (share === null) throw new UsageError(`--stall-budget: ${JSON.stringify(flags.stallBudget)} is not a share of time above 0 and at most 100% (use 5%)`);
    config = { ...config, memory_stall_budget: share };
  }
  if (flags.target !== undefined) {
    const n = Number(flags.target);
    if (flags.target.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--target: ${JSON.stringify(flags.target)} is not a positive memory overcommit ratio (use 1.0)`);
    config = { ...config, overcommit_target: n };
  }
  if (flags.moveBackGuard !== undefined) {
    const ms = parseDuration(flags.moveBackGuard);
    if (ms === null) throw new UsageError(`--move-back-guard: ${JSON.stringify(flags.moveBackGuard)} is not a duration (use 7d, or 0 to allow moves back)`);
    config = { ...config, move_back_guard: ms };
  }
  if (flags.maxMoves !== undefined) {
    const n = Number(flags.maxMoves);
    if (!Number.isInteger(n) || n < 0 || n > 50) throw new UsageError(`--max-moves: ${JSON.stringify(flags.maxMoves)} is not a whole number from 0 to 50`);
    config = { ...config, max_moves: n };
  }
  return { config, url, ...(flags.end !== undefined ? { end: parseEnd(flags.end) } : {}) };
}

/** Resolves with the exit status (0, 1 Prometheus failed, 2 usage, 3 too little data). */
export async function runPlanCommand(flags: PlanFlags, sections: Readonly<Record<string, unknown>>): Promise<number> {
  let merged;
  try {
    merged = mergeFlags(flags, plannerConfigOf(sections));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`headroom plan: ${err.message}\n`);
    return EXIT_USAGE;
  }
  return runPlan({ prometheusUrl: merged.url, config: merged.config, outDir: flags.out, ...(merged.end !== undefined ? { end: merged.end } : {}), stderr: process.stderr, stdout: process.stdout });
}
