#!/usr/bin/env -S node --max-semi-space-size=1 --heap-growing-percent=30
// The shebang carries serveNodeFlags (src/node-flags.ts): V8 takes them only at startup.
// First, before the other modules load (~0.4 s): a SIGHUP during start-up must not kill serve,
// and serve starts without V8's optimising compiler (early-compiler.ts). The commands come by
// a dynamic import: Node resolves and compiles the whole static import graph before running
// any of it, and resolving serve's ~200 modules is hot enough to start the optimising compiler.
import './early-sighup.js';
import './early-compiler.js';

await import('./commands.js');
