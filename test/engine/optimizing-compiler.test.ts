import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explicitCompilerFlag, wantsOptimizingCompiler } from '../../src/node-flags.js';
import { spawnHeadroom } from '../../sim/headroom-process.js';
import { repoRoot, startExporterProcess } from '../support/exporter.js';

// V8's bit for "this function runs TurboFan code" in %GetOptimizationStatus (src/runtime/runtime-test.cc).
const TURBOFANNED = 1 << 6;

/** Runs a hot function in a fresh node, after `before` (code run with applyOptimizingCompiler in scope); its optimisation status. */
function statusAfterWarmUp(before: string, nodeFlags: string[] = []): number {
  const flagsModule = path.join(repoRoot, 'dist/src/node-flags.js');
  const script = `
    const { applyOptimizingCompiler } = await import(${JSON.stringify(flagsModule)});
    ${before}
    function hot(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * i; return s; }
    const arr = Array.from({ length: 1000 }, (_, i) => i);
    for (let k = 0; k < 20000; k++) hot(arr);
    // Concurrent compilation may still be running: give it a moment, then call once more.
    await new Promise((r) => setTimeout(r, 100));
    hot(arr);
    process.stdout.write(String(%GetOptimizationStatus(hot)));
  `;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', ...nodeFlags, '--input-type=module', '-e', script], {
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  return Number(out);
}

describe("V8's optimising compiler, switched at run time", () => {
  it('is honoured by this Node: off, a hot function stays unoptimised; on again, it is optimised', () => {
    // The control: without the switch the same function does reach TurboFan, so the test can fail.
    expect(statusAfterWarmUp('') & TURBOFANNED).toBe(TURBOFANNED);
    expect(statusAfterWarmUp("if (applyOptimizingCompiler(false) !== 'off') throw new Error('not applied');") & TURBOFANNED).toBe(0);
    expect(statusAfterWarmUp("applyOptimizingCompiler(false); if (applyOptimizingCompiler(true) !== 'on') throw new Error('not applied');") & TURBOFANNED).toBe(TURBOFANNED);
  });

  // Node refuses --opt and --no-opt in NODE_OPTIONS; --jitless it takes there.
  it("leaves an admin's own choice alone, on the command line or in NODE_OPTIONS", () => {
    expect(statusAfterWarmUp("if (applyOptimizingCompiler(false) !== 'left as given') throw new Error('overrode the admin');", ['--opt']) & TURBOFANNED).toBe(TURBOFANNED);
    expect(explicitCompilerFlag(['--no-opt'], undefined)).toBe('--no-opt');
    expect(explicitCompilerFlag([], ' --max-semi-space-size=1  --no_turbofan ')).toBe('--no-turbofan');
    expect(explicitCompilerFlag(['--max-opt=1'], undefined)).toBe('--max-opt=1');
    expect(explicitCompilerFlag([], '--jitless')).toBe('--jitless');
    // Flags that only look alike are not a choice of compiler.
    expect(explicitCompilerFlag(['--max-semi-space-size=1', '--heap-growing-percent=30', '--optimize-for-size'], '--turbofan-filter=x')).toBeNull();
    expect(explicitCompilerFlag([], undefined)).toBeNull();
  });

  it('is wanted exactly when a selected collector needs it', () => {
    const needing = new Set(['obs']);
    expect(wantsOptimizingCompiler(['worker', 'swap', 'vmhost'], needing)).toBe(false);
    expect(wantsOptimizingCompiler(['worker', 'obs'], needing)).toBe(true);
    expect(wantsOptimizingCompiler([], needing)).toBe(false);
  });
});

describe('headroom serve picks it from its collectors, also across a reload', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-compiler-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const compilerLog = (logs: string[]) =>
    logs.flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; optimizingCompiler?: string };
        return entry.msg === 'V8 optimising compiler' && entry.optimizingCompiler ? [entry.optimizingCompiler] : [];
      } catch {
        return [];
      }
    });

  it('off for host collectors, on once an OBS instance is configured, off again when it is gone', async () => {
    const config = path.join(dir, 'headroom.yml');
    const hostOnly = 'collectors:\n  pressure: {}\n';
    writeFileSync(config, hostOnly);
    const exporter = await startExporterProcess(['--config', config, '--log.level', 'debug']);
    expect(compilerLog(exporter.logs)).toEqual(['off']);

    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && compilerLog(exporter.logs).length < n; i++) await new Promise((r) => setTimeout(r, 50));
      return compilerLog(exporter.logs);
    };
    writeFileSync(config, `${hostOnly}  obs:\n    instances:\n      - name: test\n        url: http://127.0.0.1:9\n`);
    exporter.child.kill('SIGHUP');
    expect(await waitFor(2)).toEqual(['off', 'on']);
    writeFileSync(config, hostOnly);
    exporter.child.kill('SIGHUP');
    expect(await waitFor(3)).toEqual(['off', 'on', 'off']);
    await exporter.stop();
  });

  it('left as given when the command line chooses', async () => {
    const config = path.join(dir, 'given.yml');
    writeFileSync(config, 'collectors:\n  pressure: {}\n');
    const exporter = await spawnHeadroom(['--config', config, '--log.level', 'debug'], { nodeFlags: ['--opt'] });
    try {
      expect(compilerLog(exporter.logs)).toEqual(['left as given']);
    } finally {
      await exporter.stop();
    }
  });
});
