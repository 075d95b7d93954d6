// External programs (issue 11, item 6): the product runs them only through src/exec.ts, which
// uses argument arrays (no shell), a timeout and a kill of the whole process group; and the
// runtime dependencies have no known high or critical vulnerability (npm audit, when the
// registry's audit endpoint answers).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunError, runProgram } from '../../src/exec.js';
import { repoRoot } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/net.js';

/** Product code: what `headroom` runs. sim/, bench/, test/ and demo/ are support code. */
const PRODUCT_DIRS = ['src', 'exporters'];
/** The one module allowed to start processes. */
const ALLOWED = new Set(['src/exec.ts']);

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return tsFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

// Static and dynamic imports, require(), and process.binding('spawn_sync') all name the module.
const PROCESS_APIS = /['"](?:node:)?child_process['"]|process\.binding\(|['"]node:worker_threads['"][\s\S]*\beval\s*:\s*true/;

describe('external programs', () => {
  it('only src/exec.ts may start processes in product code', () => {
    const files = PRODUCT_DIRS.flatMap((d) => tsFiles(path.join(repoRoot, d)));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.map((f) => path.relative(repoRoot, f)).filter((rel) => !ALLOWED.has(rel) && PROCESS_APIS.test(readFileSync(path.join(repoRoot, rel), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('src/exec.ts spawns without a shell, in its own process group', () => {
    const source = readFileSync(path.join(repoRoot, 'src/exec.ts'), 'utf8');
    expect(source).not.toMatch(/\bshell\s*:/);
    expect(source).not.toMatch(/\bexec(Sync)?\(/);
    expect(source).toMatch(/detached:\s*true/);
    expect(source).toMatch(/process\.kill\(-child\.pid/);
  });

  it('passes shell metacharacters through as plain arguments', async () => {
    const dir = tempDir('headroom-exec-');
    const marker = path.join(dir, 'pwned');
    const hostile = `$(touch ${marker}); \`touch ${marker}\` | touch ${marker} && echo *`;
    const r = await runProgram('printf', ['%s', hostile], { timeoutMs: 10_000 });
    expect(r.stdout).toBe(hostile);
    expect(existsSync(marker)).toBe(false);
  });

  it('a timeout kills the program and everything it started', async () => {
    const dir = tempDir('headroom-exec-');
    const pidFile = path.join(dir, 'grandchild.pid');
    // The program starts a grandchild that would outlive a kill of the program alone.
    const run = runProgram('sh', ['-c', `sleep 300 & echo $! > ${pidFile}; wait`], { timeoutMs: 500 });
    await expect(run).rejects.toThrow(RunError);
    await expect(run).rejects.toMatchObject({ reason: 'timeout' });
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pid).toBeGreaterThan(1);
    await waitFor(() => (isAlive(pid) ? undefined : true), `grandchild ${pid} to be killed`, 10_000);
  });

  it('output beyond the cap kills the program instead of filling memory', async () => {
    const run = runProgram('sh', ['-c', 'yes garbage'], { timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
    await expect(run).rejects.toMatchObject({ reason: 'too-much-output' });
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed child not yet reaped by its (also killed) parent is a zombie: dead for our purpose.
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('npm audit --omit=dev', () => {
  it('reports no high or critical vulnerability in runtime dependencies', (ctx) => {
    const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    let report: { metadata?: { vulnerabilities?: Record<string, number> }; statusCode?: number; message?: string } = {};
    try {
      report = JSON.parse(r.stdout) as typeof report;
    } catch {
      /* no JSON: npm could not reach the registry */
    }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      // Offline, or a registry mirror without the audit endpoint (this sandbox's answers 405).
      ctx.skip(`npm audit unavailable: ${report.message ?? (r.error?.message || r.stderr.trim().split('\n').pop() || `exit ${r.status}`)}`);
      return;
    }
    expect({ high: counts.high ?? 0, critical: counts.critical ?? 0 }).toEqual({ high: 0, critical: 0 });
  });
});
