// Imported first by the CLI: from the moment its code runs, a SIGHUP during `headroom serve`'s
// start-up (systemd's ExecReload) is remembered instead of killing the process (Node's default),
// and handed to the reload handler once the exporter is up.
let pending = false;
const remember = () => {
  pending = true;
};
const serving = process.argv[2] === 'serve';
if (serving) process.on('SIGHUP', remember);

/** Installs the real SIGHUP handler; runs it once if a SIGHUP arrived during start-up. */
export function takeOverSighup(handler: () => void): void {
  process.off('SIGHUP', remember);
  process.on('SIGHUP', handler);
  if (pending) {
    pending = false;
    handler();
  }
}
