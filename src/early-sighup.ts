// Imported first by the CLI: from the moment its code runs, a SIGHUP during `headroom serve`'s
// start-up (systemd's ExecReload) is remembered instead of killing the process (Node's default),
// and handed to the reload handler once the exporter is up. The one listener stays installed
// for good: removing it would close the signal handle and drop a signal not yet dispatched
// (start-up can run from module evaluation to listening without the event loop polling).
let handler: (() => void) | null = null;
let pending = false;

if (process.argv[2] === 'serve') {
  process.on('SIGHUP', () => {
    if (handler) handler();
    else pending = true;
  });
}

/** Sets what SIGHUP does from now on; runs it once if a SIGHUP arrived during start-up. */
export function takeOverSighup(reload: () => void): void {
  handler = reload;
  if (pending) {
    pending = false;
    reload();
  }
}
