import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { startRealObs } from '../../sim/real-obs/backend.js';
import { debianBuildenv, uploadBuildenv } from '../../sim/real-obs/debian-buildenv.js';

it('scratch', async () => {
  const env = await debianBuildenv({ buildDepends: ['bc'] });
  console.log(env.projectConfig);
  const obs = await startRealObs({ archs: ['x86_64'], workers: 1 });
  try {
    await obs.createProject('deb', { archs: ['x86_64'], config: env.projectConfig });
    await uploadBuildenv(obs, 'deb', 'standard', 'x86_64', env);
    const full = path.join(obs.dir, 'srv/build/deb/standard/x86_64/:full');
    const missing = () => env.debs.map((d) => `${d.name}.deb`).filter((f) => !readdirSync(full).includes(f));
    console.log('missing after upload', missing());
    await new Promise((r) => setTimeout(r, 5000));
    console.log('missing 5s later', missing());
    await obs.addPackage('deb', 'dep');
    await new Promise((r) => setTimeout(r, 20000));
    console.log('missing at the end', missing(), readdirSync(path.join(obs.dir, 'srv/build/deb/standard/x86_64')));
    console.log(await obs.result('deb'));
    console.log(readFileSync(obs.logFile('sched.x86_64'), 'utf8').slice(-2500));
    const log = path.join(obs.dir, 'srv/log');
    for (const f of readdirSync(log)) if (/sched/.test(f)) console.log(f, readFileSync(path.join(log, f), 'utf8').slice(-2500));
  } finally {
    await obs.stop();
  }
}, 300_000);
