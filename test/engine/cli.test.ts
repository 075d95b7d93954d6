import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, startExporterProcess } from '../support/exporter.js';
import { parseMetricsText, valueOf } from '../support/metrics-text.js';
import { promtoolCheckMetrics } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = tempDir();
function configFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('headroom CLI', () => {
  it('prints help for the program and for each command', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    expect(top.stdout).toContain('serve');
    expect(top.stdout).toContain('check-config');
    const serve = cli('serve', '--help');
    expect(serve.status).toBe(0);
    for (const flag of ['--config', '--web.listen-address', '--web.telemetry-path', '--path.procfs', '--path.sysfs', '--path.rootfs']) {
      expect(serve.stdout).toContain(flag);
    }
    expect(serve.stdout).toContain('":9847"');
  });

  it('check-config prints OK for a valid file', () => {
    const r = cli('check-config', configFile('empty.yml', '# nothing enabled\n'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^OK: .*empty\.yml \(collectors: none\)\n$/);
  });

  it('check-config exits 2 naming a missing file', () => {
    const missing = path.join(dir, 'missing.yml');
    const r = cli('check-config', missing);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${missing}: file does not exist`);
  });

  it('check-config exits 2 on bad YAML and on a misspelt key, with line and suggestion', () => {
    const bad = configFile('bad.yml', 'collectors: [\n');
    const r = cli('check-config', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${bad}:\\d+:\\d+: YAML syntax error`));
    const typo = configFile('typo.yml', 'collector:\n  worker: {}\n');
    const t = cli('check-config', typo);
    expect(t.status).toBe(2);
    expect(t.stderr).toContain(`${typo}:1:1: collector: unknown key "collector" (did you mean "collectors"?)`);
    expect(t.stdout).toBe('');
  });

  it('serve refuses an invalid config with the same message and exit status, without listening', () => {
    const typo = configFile('typo2.yml', 'colectors: {}\n');
    const r = cli('serve', '--config', typo, '--web.listen-address', '127.0.0.1:0');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown key "colectors" (did you mean "collectors"?)');
    expect(r.stderr).not.toContain('listening');
  });

  it('serve exits 2 on a malformed listen address or telemetry path', () => {
    const r = cli('serve', '--web.listen-address', 'localhost');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--web.listen-address: "localhost" is not [host]:port');
    const p = cli('serve', '--web.listen-address', '127.0.0.1:0', '--web.telemetry-path', 'metrics');
    expect(p.status).toBe(2);
    expect(r.stderr + p.stderr).toContain('--web.telemetry-path must start with "/"');
  });

  it('serve exits 1 with a clear log line when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const r = cli('serve', '--web.listen-address', `127.0.0.1:${port}`, '--path.procfs', dir, '--path.sysfs', dir, '--path.rootfs', dir);
      expect(r.status).toBe(1);
      const fatal = r.stderr.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { level: string; msg: string; err?: string }).find((e) => e.level === "fatal");
      expect(fatal?.msg).toBe("cannot start the exporter");
      expect(fatal?.err).toContain("EADDRINUSE");
    } finally {
      blocker.close();
    }
  });

  it('a running serve passes promtool check metrics, honours --web.telemetry-path, and stops cleanly on SIGTERM', async () => {
    const exporter = await startExporterProcess(['--web.telemetry-path', '/custom-metrics']);
    const res = await fetch(`${exporter.url}/custom-metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(valueOf(parseMetricsText(text), 'headroom_build_info')).toBe(1);
    const lint = promtoolCheckMetrics(text);
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    expect((await fetch(`${exporter.url}/metrics`)).status).toBe(404);
    expect(await exporter.stop('SIGTERM')).toBe(0);
    const messages = exporter.logs.map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(messages.map((m) => m.msg)).toContain('stopped');
    expect(messages.every((m) => typeof m.level === 'string')).toBe(true);
  });

  it('stops cleanly on SIGINT too', async () => {
    const exporter = await startExporterProcess([]);
    expect(await exporter.stop('SIGINT')).toBe(0);
  });
});
