// Preload (`node --import`) that records every module a process loads, one URL or path a line,
// in the file named by HEADROOM_RECORD_MODULES: ES modules as the loader loads them (from the
// loader's hooks thread), CommonJS files from require's cache when the process exits; each line
// starts with the PID of the process that loaded it.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.HEADROOM_RECORD_MODULES;
if (file) {
  register('./record-modules-hooks.mjs', import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.once('exit', () => {
    const cache = require('node:module')._cache;
    appendFileSync(file, Object.keys(cache).map((p) => `${process.pid} ${p}\n`).join(''));
  });
}
