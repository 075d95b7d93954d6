// A project whose packages reach every state the real scheduler produces here, on a back end
// with x86_64 workers only: used by the tests, the demo and the benchmark.
import type { RealObs } from './backend.js';
import { buildDeb } from './deb.js';

/**
 * Creates `project` on all the back end's architectures with
 * - hello: no BuildRequires; scheduled, dispatched, building, then failed (no base system in the
 *   repository); on an arch without a worker (aarch64 here) it stays scheduled: a waiting job;
 * - unres: BuildRequires nothing provides: unresolvable;
 * - dep, and needsdep which BuildRequires dep's binary (an empty .deb put into the repository,
 *   claiming source dep): needsdep is blocked by dep wherever dep has not built (aarch64).
 */
export async function createStatesProject(obs: RealObs, project: string): Promise<void> {
  await obs.createProject(project, { archs: obs.archs });
  await obs.addPackage(project, 'hello');
  await obs.addPackage(project, 'unres', { buildRequires: ['nothing-provides-this'] });
  await obs.addPackage(project, 'dep');
  const deb = buildDeb({ name: 'dep' });
  for (const arch of obs.archs) await obs.putBinary(project, 'standard', arch, 'dep.deb', deb);
  await obs.addPackage(project, 'needsdep', { buildRequires: ['dep'] });
}
