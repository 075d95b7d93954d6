// A real build that succeeds on a real OBS 2.9 back end: a `Type: dsc` project whose repository
// holds Debian bookworm's own packages (sim/real-obs/debian-buildenv.ts: resolved by apt, fetched
// from Debian's archive once, then from the cache), and a small Debian source package made here
// with dpkg-source. bs_worker runs obs-build's real `build` in a chroot: dpkg installs the
// environment, dpkg-buildpackage builds the package. Expected values come from the back end's
// replies (_result, _jobhistory, the built .deb), never from headroom.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../src/log.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/metrics.js';
import { defaultHostPaths } from '../../src/paths.js';
import { CollectorRuntime } from '../../src/runtime.js';
import { createObsCollector } from '../../exporters/obs/collector.js';
import { obsConfigSchema } from '../../exporters/obs/schema.js';
import { realObsUnavailable, startRealObs, type RealObs } from '../../sim/real-obs/backend.js';
import { debianBuildenv, uploadBuildenv, type DebianBuildenv } from '../../sim/real-obs/debian-buildenv.js';
import { waitFor as poll } from '../../sim/net.js';
import { sampleValue as value } from '../support/samples.js';
import { tempDir } from '../support/tmp.js';
import { jobHistory, readWorkerStatus, resultCodes } from './reply.js';

const dir = tempDir('headroom-obs-dsc-');
const PROJECT = 'deb';
const PACKAGE = 'hello-dsc';
const ARCH = 'x86_64';

// The environment is prepared before the suite is collected so that an unreachable archive
// skips it with the reason instead of failing it.
let buildenv: DebianBuildenv | undefined;
let unavailable = realObsUnavailable();
if (unavailable === null) {
  try {
    buildenv = await debianBuildenv({ buildDepends: ['bc'] });
  } catch (err) {
    unavailable = `no Debian build environment: ${(err as Error).message}`;
  }
}
if (unavailable !== null) console.warn(`skipping successful real OBS builds: ${unavailable}`);

/**
 * A native Debian source package, built with dpkg-source: its debian/rules runs bc (its
 * Build-Depends) at build time and ships the answer, 6*7, in /usr/share/hello-dsc/answer.
 */
function sourcePackage(): Record<string, Buffer> {
  const src = path.join(dir, 'src');
  const tree = path.join(src, `${PACKAGE}-1.0`);
  mkdirSync(path.join(tree, 'debian', 'source'), { recursive: true });
  const files: Record<string, string> = {
    'debian/source/format': '3.0 (native)\n',
    'debian/control': `Source: ${PACKAGE}
Section: misc
Priority: optional
Maintainer: headroom tests <headroom@localhost>
Build-Depends: bc
Standards-Version: 4.6.2
Rules-Requires-Root: no

Package: ${PACKAGE}
Architecture: all
Description: headroom's package for successful real OBS builds
 It ships what bc computed at build time.
`,
    'debian/changelog': `${PACKAGE} (1.0) bookworm; urgency=medium

  * A package to build on a real OBS back end.

 -- headroom tests <headroom@localhost>  Fri, 04 Dec 2026 00:00:00 +0000
`,
    'debian/rules': [
      '#!/usr/bin/make -f',
      'build build-arch build-indep:',
      "\techo '6*7' | bc > answer",
      'binary binary-arch binary-indep: build',
      `\trm -rf debian/${PACKAGE}`,
      `\tmkdir -p debian/${PACKAGE}/DEBIAN debian/${PACKAGE}/usr/share/${PACKAGE}`,
      `\tcp answer debian/${PACKAGE}/usr/share/${PACKAGE}/answer`,
      `\tdpkg-gencontrol -p${PACKAGE} -Pdebian/${PACKAGE}`,
      `\tdpkg-deb --root-owner-group --build debian/${PACKAGE} ..`,
      'clean:',
      `\trm -rf debian/${PACKAGE} debian/files answer`,
      '',
    ].join('\n'),
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(tree, name), content, { mode: name === 'debian/rules' ? 0o755 : 0o644 });
  execFileSync('dpkg-source', ['-b', `${PACKAGE}-1.0`], { cwd: src, stdio: 'ignore' });
  return Object.fromEntries(readdirSync(src).filter((f) => f !== `${PACKAGE}-1.0`).map((f) => [f, readFileSync(path.join(src, f))]));
}

describe.skipIf(unavailable !== null)('successful dsc builds on a real OBS 2.9 back end', () => {
  let obs: RealObs;
  let runtime: CollectorRuntime;
  const labels = { obs: 'real' };

  beforeAll(async () => {
    obs = await startRealObs({ archs: [ARCH], workers: 1 });
    await obs.createProject(PROJECT, { archs: [ARCH], config: buildenv!.projectConfig });
    await uploadBuildenv(obs, PROJECT, 'standard', ARCH, buildenv!);
    const log = createLogger('warn', () => undefined);
    const config = obsConfigSchema({ baseDir: dir }).parse({ instances: [{ name: 'real', url: obs.url, projects: [PROJECT] }] });
    runtime = new CollectorRuntime([createObsCollector(config)], { paths: defaultHostPaths, log });
  }, 120_000);
  afterAll(async () => {
    runtime?.stop();
    await obs?.stop();
  }, 60_000);

  it('builds the package: succeeded in _result and _jobhistory, as headroom reports it', async () => {
    await obs.addPackage(PROJECT, PACKAGE, { files: sourcePackage() });

    // While it builds (installing the environment takes a while), headroom is polled once: its
    // oldest build start must be the start the back end records in the job history afterwards.
    let during: { start: string; samples: Sample[] } | undefined;
    let code: string | undefined;
    const FINAL = ['succeeded', 'failed', 'unresolvable']; // broken: only until every source file is in
    await poll(async () => {
      const before = readWorkerStatus(await obs.workerStatus()).building.find((b) => b.package === PACKAGE);
      if (before && !during) {
        await runtime.refreshCollector('obs');
        const samples = runtime.snapshot();
        const after = readWorkerStatus(await obs.workerStatus()).building.find((b) => b.package === PACKAGE);
        if (after?.starttime === before.starttime) during = { start: before.starttime!, samples };
      }
      code = await obs.packageCode(PROJECT, PACKAGE, ARCH);
      return code !== undefined && FINAL.includes(code) ? code : undefined;
    }, `${PACKAGE} to build`, 600_000);
    if (code !== 'succeeded') {
      const status = /<status package="hello-dsc"[\s\S]*?<\/status>|<status package="hello-dsc"[^>]*\/>/.exec(await obs.result(PROJECT))?.[0];
      const log = await obs.get(`/build/${PROJECT}/standard/${ARCH}/${PACKAGE}/_log`).catch((e: Error) => e.message);
      throw new Error(`${PACKAGE} ended ${code}: ${status}\nend of its build log:\n${log.slice(-3000)}`);
    }

    // The back end's own record of the job: worker, start, end, code.
    const history = await obs.get(`/build/${PROJECT}/standard/${ARCH}/_jobhistory?package=${PACKAGE}&limit=10`);
    const entries = jobHistory(history);
    expect(entries).toHaveLength(1);
    const job = entries[0]!;
    expect(job).toMatchObject({ package: PACKAGE, code: 'succeeded', workerid: obs.workerId(1), hostarch: ARCH });
    const duration = Number(job.endtime) - Number(job.starttime);
    expect(duration).toBeGreaterThan(0);
    // headroom polled while the job was on: the build and its start, as the history has them.
    expect(during).toBeDefined();
    expect(during!.start).toBe(job.starttime);
    expect(value(during!.samples, 'headroom_obs_jobs_building', { ...labels, arch: ARCH })).toBe(1);
    expect(value(during!.samples, 'headroom_obs_oldest_build_start_timestamp_seconds', { ...labels, arch: ARCH })).toBe(Number(job.starttime));

    // _result as the back end gives it, and as headroom counts it.
    // Bracketed by two identical replies, so nothing moved meanwhile (the repository goes on from
    // publishing to published after the build).
    const { result, after } = await poll(async () => {
      const before = await obs.result(PROJECT);
      await runtime.refreshCollector('obs');
      const snapshot = runtime.snapshot();
      return (await obs.result(PROJECT)) === before ? { result: before, after: snapshot } : undefined;
    }, '_result to hold still across a poll', 120_000);
    const codes = resultCodes(result, 'standard', ARCH);
    expect(codes.get('succeeded')).toBe(1);
    expect(value(after, 'headroom_obs_packages', { ...labels, project: PROJECT, repository: 'standard', arch: ARCH, code: 'succeeded' })).toBe(1);
    expect(value(after, 'headroom_obs_packages', { ...labels, project: PROJECT, repository: 'standard', arch: ARCH, code: 'failed' })).toBeUndefined();

    // The built binary is real: it holds what bc computed in the chroot.
    const binaries = await obs.get(`/build/${PROJECT}/standard/${ARCH}/${PACKAGE}`);
    const deb = [...binaries.matchAll(/<binary filename="([^"]+\.deb)"/g)].map((m) => m[1]);
    // OBS appends its release (check-in and build counters) to the version: 1.0 becomes 1.0<release>.
    expect(deb).toHaveLength(1);
    expect(deb[0]).toMatch(/^hello-dsc_1\.0[0-9.]*_all\.deb$/);
    const res = await fetch(`${obs.url}/build/${PROJECT}/standard/${ARCH}/${PACKAGE}/${deb[0]}`);
    const debFile = path.join(dir, deb[0]!);
    writeFileSync(debFile, Buffer.from(await res.arrayBuffer()));
    const unpacked = path.join(dir, 'unpacked');
    execFileSync('dpkg-deb', ['-x', debFile, unpacked]);
    expect(readFileSync(path.join(unpacked, 'usr/share', PACKAGE, 'answer'), 'utf8')).toBe('42\n');
  }, 900_000);
});
