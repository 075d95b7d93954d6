// serve's config comes from a child process over IPC: what arrives must be exactly what the
// loader produces in-process, and a bad file must read exactly as check-config prints it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorModules } from '../../exporters/index.js';
import { ConfigError, defaultSectionConfig, loadConfig } from '../../src/config/load.js';
import { configSections } from '../../src/config/sections.js';
import { repoRoot } from '../support/exporter.js';
import { tempDir } from '../support/tmp.js';

// The built module: it forks the built child (dist/src/config/child.js), as serve does.
const { InvalidConfigError, validateInChild } = (await import(path.join(repoRoot, 'dist/src/config/validate-in-child.js'))) as typeof import('../../src/config/validate-in-child.js');

const dir = tempDir('headroom-validate-child-');
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('config validation in a child process', () => {
  it('returns the sections the in-process loader makes, Maps and all', async () => {
    const file = write('good.yml', 'collectors:\n  worker:\n    tmpfs_mounts: [/var/cache/obs/root_*]\n  swap:\n    smartctl_schedule: "0 3 * * *"\n    endurance: { /dev/nvme0n1: 600TB }\n  vmhost: { per_domain: true }\n');
    const viaChild = await validateInChild({ configFile: file });
    expect(viaChild.config).toEqual(await loadConfig(file, collectorModules, configSections));
    expect(viaChild.config!.collectors).toBeInstanceOf(Map);
    expect(viaChild.config!.collectors.get('swap')).toMatchObject({ smartctl_schedule: { kind: 'cron', expression: '0 3 * * *' }, endurance: { '/dev/nvme0n1': 600e12 } });
    expect(viaChild.web).toBeNull();
    expect(viaChild.defaults.size).toBe(0);
  });

  it('without a config file: the defaults of every collector that autodetects', async () => {
    const viaChild = await validateInChild({});
    expect(viaChild.config).toBeNull();
    const autodetecting = collectorModules.filter((m) => m.autodetect);
    expect([...viaChild.defaults.keys()]).toEqual(autodetecting.map((m) => m.name));
    for (const m of autodetecting) expect(viaChild.defaults.get(m.name)).toEqual(await defaultSectionConfig(m));
  });

  it('a bad file: the message check-config prints, as an InvalidConfigError', async () => {
    const file = write('bad.yml', 'collectors:\n  worker:\n    tmpfs_mount: [/x]\n');
    const inProcess = await loadConfig(file, collectorModules, configSections).catch((err: unknown) => err);
    expect(inProcess).toBeInstanceOf(ConfigError);
    const viaChild = await validateInChild({ configFile: file }).catch((err: unknown) => err);
    expect(viaChild).toBeInstanceOf(InvalidConfigError);
    expect((viaChild as Error).message).toBe((inProcess as Error).message);
    expect((viaChild as Error).message).toContain(`${file}:3:5: collectors.worker.tmpfs_mount: unknown key "tmpfs_mount" (did you mean "tmpfs_mounts"?)`);
  });

  it('gives up on a child that does not answer in time', async () => {
    const file = write('slow.yml', 'collectors: {}\n');
    await expect(validateInChild({ configFile: file }, 1)).rejects.toThrow(/config validation did not finish within 0.001s/);
  });
});
