import v8 from 'node:v8';

/**
 * Node flags `headroom serve` runs with in production:
 * - a 1 MiB young generation instead of V8's 16 MiB semi-spaces keeps resident memory ~30 MB
 *   lower under load;
 * - the old generation may grow by 30 % over what survived the last full collection before the
 *   next one (V8's own heuristics let it grow 1.1–4×): each scrape's garbage is promoted out of
 *   the small young generation, and without this it piles up as ~35–50 MB of old-space garbage
 *   under a burst of scrapes. A soft factor, not a heap limit: a big OBS document still gets
 *   the memory it needs instead of crashing the process.
 * V8 reads them only at startup, so they are written out where the process starts: the CLI's
 * shebang, `npm start`, the systemd unit (a test checks all three) and the benchmark.
 */
export const serveNodeFlags: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=30'];

/**
 * V8's optimising compiler (TurboFan), on only while a running collector needs it.
 *
 * It costs a host exporter ~12 MB resident (the compiler's pages of the node binary, its
 * compile zones, optimised code) and, under a burst of scrapes, background compile jobs that
 * grow malloc's arenas. The host collectors do little work per scrape: interpreted and
 * baseline code cost them a few per cent more CPU. Parsing an OBS worker status of megabytes
 * is 5–6× slower without it. Unlike the startup flags above, V8 honours this one at run time
 * (test/engine/optimizing-compiler.test.ts checks that on this Node), so it follows the
 * config, also across reloads.
 */
export function wantsOptimizingCompiler(collectorNames: Iterable<string>, needing: ReadonlySet<string>): boolean {
  for (const name of collectorNames) if (needing.has(name)) return true;
  return false;
}

// V8 accepts `_` for `-` in flag names; `--max-opt` and `--jitless` also decide the tiers.
const COMPILER_FLAG = /^--(no-)?(opt|turbofan)$|^--max-opt(=|$)|^--jitless$/;

/** An admin's own choice on the command line (of the unit's ExecStart) or in NODE_OPTIONS (which takes --jitless but not --opt), left alone. */
export function explicitCompilerFlag(execArgv: readonly string[], nodeOptions: string | undefined): string | null {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((a) => a.replace(/_/g, '-'));
  return given.find((a) => COMPILER_FLAG.test(a)) ?? null;
}

/** Turns TurboFan on or off unless the admin chose; returns what it did, for the log. */
export function applyOptimizingCompiler(wanted: boolean): 'on' | 'off' | 'left as given' {
  if (explicitCompilerFlag(process.execArgv, process.env['NODE_OPTIONS'])) return 'left as given';
  v8.setFlagsFromString(wanted ? '--turbofan' : '--no-turbofan');
  return wanted ? 'on' : 'off';
}
