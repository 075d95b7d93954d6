// npm run demo, for real: the built demo script is spawned as a child, its Prometheus must
// report every target up, and SIGINT must stop it leaving none of its processes behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/exporter.js';
import { waitFor } from '../support/net.js';

const demoScript = path.join(repoRoot, 'dist/demo/run.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

describe('npm run demo', () => {
  let demo: ChildProcess | null = null;
  let out = '';
  afterAll(() => {
    // Only if an assertion failed half way: never leave the demo running.
    if (demo && demo.exitCode === null && demo.signalCode === null) demo.kill('SIGTERM');
  });

  it('starts Prometheus, Alertmanager, an SMTP sink and the exporter, every target up, and stops them all on SIGINT', async () => {
    expect(existsSync(demoScript), 'build first: npx tsc -p tsconfig.json').toBe(true);
    const child = spawn(process.execPath, [demoScript], { stdio: ['ignore', 'pipe', 'pipe'] });
    demo = child;
    child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the demo exited early:\n${out}`);
        return out.includes('Press Ctrl-C') ? true : undefined;
      },
      'the demo to be ready',
      150_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${out}`);
    });

    const prometheusUrl = /Prometheus\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const exporterUrl = /exporter\s+(http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(out)?.[1];
    const workDir = /config\s+(\S+)\/headroom\.yml/.exec(out)?.[1];
    const pids = [...(/pids\s+(.*)/.exec(out)?.[1] ?? '').matchAll(/(\w+)=(\d+)/g)].map((m) => ({ name: m[1]!, pid: Number(m[2]) }));
    expect(prometheusUrl, out).toBeDefined();
    expect(exporterUrl, out).toBeDefined();
    expect(out).toMatch(/SMTP sink\s+127\.0\.0\.1:\d+; alert emails land in \S+\/mail\/N\.eml/);
    // Prometheus, Alertmanager and the exporter at least (the blackbox exporter when installed).
    expect(pids.map((p) => p.name)).toEqual(expect.arrayContaining(['prometheus', 'alertmanager', 'headroom']));

    // Asked of Prometheus directly, not taken from the demo's word.
    const targets = ((await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ health: string; labels: Record<string, string> }> };
    }).data.activeTargets;
    expect(targets.every((t) => t.health === 'up'), JSON.stringify(targets)).toBe(true);
    // The demo host has four roles, so it is in four target files: still one scrape target.
    const headroomTargets = targets.filter((t) => t.labels['job'] === 'headroom');
    expect(headroomTargets.map((t) => t.labels['instance'])).toEqual(['demo-host']);
    expect(targets.filter((t) => t.labels['job'] === 'alertmanager')).toHaveLength(1);

    // Every collector works on the demo's sources: simulated OBS, fixture host, libvirt's test driver, restic.
    const collectors = await waitFor(
      async () => {
        const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent('headroom_collector_success == 1')}`)).json()) as {
          data: { result: Array<{ metric: Record<string, string> }> };
        };
        const names = body.data.result.map((r) => r.metric['collector']!).sort();
        return names.length === 5 ? names : undefined;
      },
      'all five collectors to succeed in Prometheus',
      90_000,
    );
    expect(collectors).toEqual(['backup', 'obs', 'swap', 'vmhost', 'worker']);
    // It says which OBS it polls; a real back end's project results reach Prometheus.
    const obsKind = /(real|simulated) OBS\s+http:\/\/127\.0\.0\.1:\d+/.exec(out)?.[1];
    expect(obsKind, out).toBeDefined();
    if (obsKind === 'real') {
      await waitFor(
        async () => {
          const body = (await (await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent('headroom_obs_packages{project="demo",code="unresolvable"}')}`)).json()) as { data: { result: unknown[] } };
          return body.data.result.length > 0 ? true : undefined;
        },
        'the real back end\'s project results in Prometheus',
        60_000,
      );
    }

    for (const p of pids) expect(alive(p.pid), `${p.name} running before SIGINT`).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const p of pids) expect(alive(p.pid), `${p.name} (pid ${p.pid}) left behind`).toBe(false);
    expect(out).toContain('demo stopped');
    expect(existsSync(workDir!), `${workDir} removed`).toBe(false);
    await expect(fetch(`${prometheusUrl}/-/ready`)).rejects.toThrow();
  }, 300_000);
});
