// Loader hooks of record-modules.mjs: runs on the loader's own thread, so it writes each URL
// to the file at once rather than messaging the main thread. Each line starts with the PID:
// children of the recorded process (which inherit NODE_OPTIONS) record into the same file.
import { appendFileSync } from 'node:fs';

let file;
export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `${process.pid} ${url}\n`);
  return nextLoad(url, context);
}
