// Files that are not what they claim (issue 15, items 2, 3, 5 and 6): FIFOs and devices as
// config, web config or secret files, oversized and alias-bomb YAML, lookalike names, and a
// SIGHUP during start-up. Outcomes are the kernel's and the process's own: exit status, the
// process's peak RSS from /proc/PID/status, its caught-signal mask, and what /metrics answers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEstate, type Estate } from '../../bench/soak.js';
import { cliPath, startExporterProcess, type ExporterProcess } from '../support/exporter.js';
import { waitFor } from '../support/net.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('headroom-hardening-files-');
const EXIT_CONFIG = 2;

function mkfifo(file: string): string {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file}: ${r.stderr}`);
  return file;
}

/** Runs the CLI; a hang (the old behaviour on a FIFO) shows as a null status after the bound. */
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const obsWithPassword = (passwordFile: string) =>
  `collectors:\n  obs:\n    instances:\n      - name: farm\n        url: http://127.0.0.1:9\n        username: monitor\n        password_file: ${passwordFile}\n`;

// Nine levels of nine-fold aliases: 9^9 nodes if expanded.
const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((k, i) => {
  const prev = 'abcdefghi'[i]!;
  return `${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]`;
})].join('\n') + '\n';

describe('check-config and serve refuse files that are not regular files, or too big, with exit 2', () => {
  it('a FIFO as password_file: check-config names the field and exits 2 instead of saying OK', () => {
    const fifo = mkfifo(path.join(dir, 'password.fifo'));
    const config = write('fifo-secret.yml', obsWithPassword(fifo));
    const r = cli(['check-config', config]);
    expect(r.status).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain(`collectors.obs.instances[0].password_file: secret file ${fifo} is a FIFO, not a regular file`);
  });

  it('/dev/zero as password_file is refused the same way', () => {
    const config = write('zero-secret.yml', obsWithPassword('/dev/zero'));
    const r = cli(['check-config', config]);
    expect(r.status).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain('password_file: secret file /dev/zero is a character device, not a regular file');
  });

  it('a FIFO or /dev/zero as the config file: exit 2 at once, naming the file', () => {
    const fifo = mkfifo(path.join(dir, 'config.fifo'));
    for (const args of [['check-config', fifo], ['serve', '--web.listen-address', '127.0.0.1:0', '--config', fifo]]) {
      const r = cli(args);
      expect(r.status).toBe(EXIT_CONFIG);
      expect(r.stderr).toContain(`${fifo}: file is a FIFO, not a regular file`);
    }
    const r = cli(['check-config', '/dev/zero']);
    expect(r.status).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain('/dev/zero: file is a character device, not a regular file');
  });

  it('a config file over the 4 MiB cap is refused by its size', () => {
    const big = write('big.yml', `# ${'x'.repeat(5 * 1024 * 1024)}\ncollectors: {}\n`);
    const r = cli(['check-config', big]);
    expect(r.status).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain(`${big}: file is ${5 * 1024 * 1024 + 3 + 15} bytes, over the limit of 4 MiB`);
  });

  it('a YAML alias bomb in the config or the web config exits 2 with the file and the reason, no stack trace', () => {
    const bomb = write('bomb.yml', ALIAS_BOMB);
    for (const args of [['check-config', bomb], ['serve', '--web.listen-address', '127.0.0.1:0', '--web.config.file', bomb]]) {
      const r = cli(args);
      expect(r.status).toBe(EXIT_CONFIG);
      expect(r.stderr).toContain(`${bomb}: YAML cannot be expanded: Excessive alias count`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('a FIFO as a web config certificate exits 2 naming the key', () => {
    const fifo = mkfifo(path.join(dir, 'cert.fifo'));
    const key = write('key.pem', 'not a key\n');
    const web = write('web-fifo.yml', `tls_server_config:\n  cert_file: ${fifo}\n  key_file: ${key}\n`);
    const r = cli(['serve', '--web.listen-address', '127.0.0.1:0', '--web.config.file', web]);
    expect(r.status).toBe(EXIT_CONFIG);
    expect(r.stderr).toContain(`tls_server_config.cert_file: cannot read ${fifo}: is a FIFO, not a regular file`);
  });
});

describe('one naming rule for every name a user gives', () => {
  it.each([
    ['a Cyrillic lookalike', '\u0430bc'],
    ['a right-to-left override', 'farm\u202Egnp.exe'],
    ['a control character', 'farm\u0007'],
  ])('refuses %s in an OBS instance name and a backup target name alike', (_what, name) => {
    const config = write(
      'names.yml',
      `collectors:\n  obs:\n    instances:\n      - { name: ${JSON.stringify(name)}, url: "http://127.0.0.1:9" }\n  backup:\n    targets:\n      - { name: ${JSON.stringify(name)}, kind: files, path: "/srv/*", max_age: 26h }\n`,
    );
    const r = cli(['check-config', config]);
    expect(r.status).toBe(EXIT_CONFIG);
    expect(r.stderr).toMatch(/collectors\.obs\.instances\[0\]\.name: an OBS instance name uses ASCII letters/);
    expect(r.stderr).toMatch(/collectors\.backup\.targets\[0\]\.name: a target name uses ASCII letters/);
  });
});

/** Peak resident memory of a process in bytes, from the kernel's own accounting. */
function peakRssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB$/m);
  if (!line) throw new Error(`no VmHWM for ${pid}`);
  return Number(line[1]) * 1024;
}

describe('a secret file replaced by a FIFO or /dev/zero while serving', () => {
  let estate: Estate;
  let exporter: ExporterProcess;
  let passwordFile: string;

  beforeAll(async () => {
    // 200 OBS hosts: a /metrics page well over the 64 KiB that is gzipped on the thread pool.
    estate = await buildEstate(path.join(dir, 'estate'), { scheduleSeconds: 1, obsHosts: 200 });
    passwordFile = path.join(estate.dir, 'obs.pass');
    exporter = await startExporterProcess([...estate.serveArgs]);
    await waitFor(async () => ((await (await fetch(`${exporter.url}/metrics`)).text()).includes('headroom_collector_source_up{collector="obs",source="sim"} 1') ? true : undefined), 'OBS up', 60_000);
  }, 240_000);
  afterAll(async () => {
    await exporter?.stop('SIGKILL');
    await estate?.close();
  });

  const statusPage = async () => (await fetch(`${exporter.url}/`)).text();

  it('/dev/zero: each poll fails naming the device, and memory stays bounded', async () => {
    const saved = `${passwordFile}.saved`;
    renameSync(passwordFile, saved);
    symlinkSync('/dev/zero', passwordFile);
    try {
      await waitFor(async () => ((await statusPage()).includes(`${passwordFile} is a character device, not a regular file`) ? true : undefined), 'the poll to fail on /dev/zero', 30_000);
      // A few more polls (one a second) with the device in place: each used to read it unbounded.
      await new Promise((r) => setTimeout(r, 3000));
      expect((await fetch(`${exporter.url}/metrics`)).status).toBe(200);
      // Reading /dev/zero unbounded cost 0.7-1.7 GB per poll; the exporter itself needs ~100 MB.
      expect(peakRssBytes(exporter.child.pid!)).toBeLessThan(400 * 1024 * 1024);
    } finally {
      rmSync(passwordFile);
      renameSync(saved, passwordFile);
    }
  });

  it('a FIFO: polls and SIGHUP reloads fail, gzip scrapes over 64 KiB still answer, SIGTERM exits', async () => {
    const saved = `${passwordFile}.saved`;
    renameSync(passwordFile, saved);
    mkfifo(passwordFile);
    try {
      await waitFor(async () => ((await statusPage()).includes(`${passwordFile} is a FIFO, not a regular file`) ? true : undefined), 'the poll to fail on the FIFO', 30_000);
      for (let i = 1; i <= 3; i++) {
        const before = exporter.logs.filter((l) => l.includes('configuration reload failed')).length;
        exporter.child.kill('SIGHUP');
        await waitFor(() => (exporter.logs.filter((l) => l.includes('configuration reload failed')).length > before ? true : undefined), `reload ${i} to fail`, 30_000);
      }
      // Each hung open() used to hold one of libuv's four threads: gzip of big bodies went there too.
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'gzip' }, signal: AbortSignal.timeout(30_000) });
        expect(res.status).toBe(200);
        const body = Buffer.from(await res.arrayBuffer());
        // fetch inflates on its own; the body's length is what matters: over the sync-gzip threshold.
        const text = res.headers.get('content-encoding') === 'gzip' && body[0] === 0x1f ? gunzipSync(body).toString() : body.toString();
        expect(text.length).toBeGreaterThan(64 * 1024);
        expect(text).toContain('headroom_collector_success{collector="worker"} 1');
      }
      const exited = await Promise.race([exporter.stop('SIGTERM'), new Promise((r) => setTimeout(() => r('still running'), 30_000))]);
      expect(exited).toBe(0);
    } finally {
      rmSync(passwordFile);
      renameSync(saved, passwordFile);
    }
  });
});

describe('SIGHUP during start-up', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  /** Whether the process has a handler for SIGHUP (bit 0 of SigCgt in /proc/PID/status). */
  const catchesSighup = (pid: number) => {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^SigCgt:\s+([0-9a-f]+)$/m);
    return m !== null && (BigInt(`0x${m[1]}`) & 1n) === 1n;
  };

  it('is kept and applied once the exporter listens, instead of killing it', async () => {
    const config = write('empty.yml', 'collectors: {}\n');
    const child = spawn(process.execPath, [cliPath, 'serve', '--web.listen-address', '127.0.0.1:0', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exit = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    // Poll the kernel's view as fast as possible: the start-up window is a few hundred ms.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
      if (catchesSighup(child.pid!)) break;
      await new Promise((r) => setImmediate(r));
    }
    const listeningAlready = output.includes('headroom exporter listening');
    child.kill('SIGHUP');
    expect(listeningAlready).toBe(false); // the signal did arrive during start-up
    await waitFor(() => (output.includes('SIGHUP: reloading configuration') && output.includes('configuration reloaded') ? true : undefined), 'the deferred reload', 30_000);
    expect(child.exitCode).toBe(null);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
