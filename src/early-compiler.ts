// Imported by the CLI entry right after early-sighup.ts, before the other modules load:
// `headroom serve` starts without V8's optimising compiler, so that start-up (resolving and
// evaluating ~200 modules, building the server) compiles and keeps no optimised code a host
// exporter never needs. Switched off only once the modules were loaded, a serving process with
// worker, swap and vmhost was 64–68 MB resident, idle; off from the start, 57–58 MB. Serve
// turns it on once the config shows a collector that needs it (setOptimizingCompilerFor in
// serve.ts).
import { applyOptimizingCompiler } from './node-flags.js';

if (process.argv[2] === 'serve') applyOptimizingCompiler(false);
