import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startExporterProcess } from '../support/exporter.js';
import { scrape, valueOf } from '../support/metrics-text.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const configFile = path.join(dir, 'headroom.yml');
const dump = path.join(dir, 'db-2026-11-24.sql.gz');
// A backup file whose modification time the test chose: the collector's answer is known.
const DUMP_MTIME = 1_795_000_000;

function target(name: string, glob: string) {
  return `      - { name: ${name}, kind: files, path: "${glob}", max_age: 26h, schedule: 1h }\n`;
}
function writeConfig(...targets: string[]) {
  writeFileSync(configFile, `collectors:\n  backup:\n    targets:\n${targets.join('')}`);
}

describe('configuration reload', () => {
  it('applies a valid config on SIGHUP keeping last data, and rejects an invalid one keeping the old', async () => {
    writeFileSync(dump, 'x');
    utimesSync(dump, DUMP_MTIME, DUMP_MTIME);
    writeConfig(target('dumps', path.join(dir, 'db-*.sql.gz')));
    const exporter = await startExporterProcess(['--config', configFile]);
    const metrics = () => scrape(`${exporter.url}/metrics`);
    await waitFor(async () => valueOf((await metrics()).series, 'headroom_backup_last_success_timestamp_seconds', { target: 'dumps' }), 'first backup refresh');

    // The backup disappears, then a reload adds a target: the new refresh of "dumps" fails,
    // but its last good data (carried over from before the reload) stays.
    rmSync(dump);
    writeConfig(target('dumps', path.join(dir, 'db-*.sql.gz')), target('etc', path.join(dir, 'headroom.yml')));
    exporter.child.kill('SIGHUP');
    await waitFor(() => (exporter.logs.some((l) => l.includes('configuration reloaded')) ? true : undefined), 'reload log');
    const after = await waitFor(async () => {
      const { series } = await metrics();
      return valueOf(series, 'headroom_collector_source_up', { collector: 'backup', source: 'dumps' }) === 0 && valueOf(series, 'headroom_collector_source_up', { collector: 'backup', source: 'etc' }) === 1 ? series : undefined;
    }, 'refreshes after the reload');
    expect(valueOf(after, 'headroom_backup_last_success_timestamp_seconds', { target: 'dumps' })).toBe(DUMP_MTIME);

    // An invalid config is rejected with the usual message; the running one stays.
    writeFileSync(configFile, 'collectors:\n  backup:\n    targetz: []\n');
    exporter.child.kill('SIGHUP');
    const failure = await waitFor(() => exporter.logs.find((l) => l.includes('configuration reload failed')), 'reload failure log');
    expect(failure).toContain('unknown key \\"targetz\\" (did you mean \\"targets\\"?)');
    const still = (await metrics()).series;
    expect(valueOf(still, 'headroom_collector_source_up', { collector: 'backup', source: 'etc' })).toBe(1);
    expect(valueOf(still, 'headroom_backup_last_success_timestamp_seconds', { target: 'dumps' })).toBe(DUMP_MTIME);
    expect(exporter.child.exitCode).toBeNull();
    await exporter.stop();
  });

  it('reloads on POST /-/reload only with --web.enable-lifecycle, answering 500 with the problem when invalid', async () => {
    writeConfig(target('etc', path.join(dir, 'headroom.yml')));
    const plain = await startExporterProcess(['--config', configFile]);
    expect((await fetch(`${plain.url}/-/reload`, { method: 'POST' })).status).toBe(404);
    await plain.stop();

    const exporter = await startExporterProcess(['--config', configFile, '--web.enable-lifecycle']);
    const ok = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    expect(ok.status).toBe(200);
    writeFileSync(configFile, 'collectors:\n  backup:\n    targets: [ { name: x, kind: tape } ]\n');
    const bad = await fetch(`${exporter.url}/-/reload`, { method: 'POST' });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toMatch(/^failed to reload config: .*headroom\.yml/);
    expect((await fetch(`${exporter.url}/metrics`)).status).toBe(200);
    await exporter.stop();
  });
});
