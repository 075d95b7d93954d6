// What a serving process keeps loaded is what it keeps resident: `headroom serve` with the
// per-host collectors (worker, swap, vmhost) must not load the libraries only other commands
// or other collectors need. A preload records every module the process loads.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, startExporterProcess } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-serve-modules-');
const recorder = path.join(repoRoot, 'test/support/record-modules.mjs');

async function modulesLoadedByServe(configYaml: string): Promise<string[]> {
  const config = path.join(dir, `headroom-${Math.random().toString(36).slice(2)}.yml`);
  const record = `${config}.modules`;
  writeFileSync(config, configYaml);
  writeFileSync(record, '');
  const exporter = await startExporterProcess(['--config', config, '--web.enable-lifecycle'], { HEADROOM_RECORD_MODULES: record, NODE_OPTIONS: `--import=${recorder}` });
  // Exercise every route, compressed and not, and a reload, before looking.
  for (const headers of [{ 'accept-encoding': 'gzip' }, {}] as Array<Record<string, string>>) expect((await fetch(`${exporter.url}/metrics`, { headers })).status).toBe(200);
  expect((await fetch(`${exporter.url}/`)).status).toBe(200);
  expect((await fetch(`${exporter.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${exporter.url}/-/reload`, { method: 'POST' })).status).toBe(200);
  const pid = exporter.child.pid;
  expect(await exporter.stop('SIGTERM')).toBe(0);
  // Only the serving process's own modules: the config validation child records here too.
  const lines = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  const own = lines.filter((l) => l.startsWith(`${pid} `)).map((l) => l.slice(l.indexOf(' ') + 1));
  // The recorder works for children as well: the validation child was seen loading zod.
  expect(lines.some((l) => !l.startsWith(`${pid} `) && l.includes('/node_modules/zod/'))).toBe(true);
  return own;
}

/** Built files of one of headroom's folders that were loaded, apart from `allowed` (file names). */
const loadedOwn = (modules: readonly string[], folder: string, allowed: readonly string[]) =>
  modules.filter((m) => m.includes(`/dist/${folder}/`) && !allowed.includes(path.basename(m)));

describe('what `headroom serve` loads', () => {
  it('with worker, swap and vmhost: fastify, but no pino, ajv, fast-json-stringify, zod, yaml, config schemas, node-cron or bcryptjs (no cron schedule, no basic auth), nor obs or backup code', async () => {
    const modules = await modulesLoadedByServe('collectors:\n  worker: {}\n  swap:\n    smartctl: false\n  vmhost: {}\n');
    // The recorder works: it saw the CLI and fastify.
    expect(modules.some((m) => m.endsWith('/dist/src/cli.js'))).toBe(true);
    expect(modules.some((m) => m.includes('/node_modules/fastify/'))).toBe(true);
    // Fastify's own error serializer (fast-json-stringify/lib/serializer.js) is part of its core;
    // the schema compilers are not.
    for (const file of ['pino/', 'ajv/', '@fastify/ajv-compiler/', '@fastify/fast-json-stringify-compiler/', 'fast-json-stringify/index.js', 'zod/', 'yaml/', 'node-cron/', 'bcryptjs/']) {
      expect(modules.filter((m) => m.includes(`/node_modules/${file}`)), file).toEqual([]);
    }
    // Validation is the child's (src/config/child.ts): no schema, loader or other section.
    expect(modules.filter((m) => /\/dist\/(exporters\/[a-z]+\/schema|src\/config\/(load|fields|sections|web-config-file|child)|estate|alerts|planner)[/.]/.test(m))).toEqual([]);
    // Their registration only, no collector code.
    expect(loadedOwn(modules, 'exporters/obs', ['index.js'])).toEqual([]);
    expect(loadedOwn(modules, 'exporters/backup', ['index.js'])).toEqual([]);
  });
});
