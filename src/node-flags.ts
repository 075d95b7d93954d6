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
