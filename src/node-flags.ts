/**
 * Node flags `headroom serve` runs with in production: a 1 MiB young generation instead of V8's
 * 16 MiB semi-spaces keeps resident memory ~30 MB lower under load. V8 reads them only at
 * startup, so they are written out where the process starts: the CLI's shebang, `npm start`,
 * the systemd unit (a test checks all three) and the benchmark.
 */
export const serveNodeFlags: readonly string[] = ['--max-semi-space-size=1'];
