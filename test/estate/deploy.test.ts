// What deploy/ ships: every example config passes the real loader, and the systemd unit keeps
// its least-privilege promises (systemd itself is not available to verify it here).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorModules } from '../../exporters/index.js';
import { loadConfig } from '../../src/config/load.js';
import { configSections } from '../../src/config/sections.js';
import { repoRoot } from '../support/exporter.js';

const deploy = path.join(repoRoot, 'deploy');

/** `Key=value` lines of a unit file, keys repeated as often as they appear. */
function directives(file: string): Array<[string, string]> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]);
}

describe('deploy/', () => {
  const examples = readdirSync(path.join(deploy, 'examples')).filter((f) => f.endsWith('.yml'));

  it('ships an example config per host role', async () => {
    expect(examples.sort()).toEqual(['backup-host.yml', 'estate.yml', 'obs-server.yml', 'obs-worker.yml', 'vm-host.yml']);
  });

  it.each(examples)('%s passes check-config', async (name) => {
    await expect(loadConfig(path.join(deploy, 'examples', name), collectorModules, configSections)).resolves.toBeDefined();
  });

  it('the unit runs the exporter unprivileged with no capabilities and a read-only system', async () => {
    const unit = new Map(directives(path.join(deploy, 'headroom-exporter.service')));
    expect(unit.get('User')).toBe('headroom');
    expect(unit.get('CapabilityBoundingSet')).toBe('');
    expect(unit.get('NoNewPrivileges')).toBe('yes');
    expect(unit.get('ProtectSystem')).toBe('strict');
    expect(unit.get('ProtectHome')).toBe('yes');
    expect(unit.get('PrivateTmp')).toBe('yes');
    expect(unit.get('ExecStart')).toContain('dist/src/cli.js serve --config=/etc/headroom/headroom.yml');
    // Node's JIT cannot run under MemoryDenyWriteExecute.
    expect(unit.has('MemoryDenyWriteExecute')).toBe(false);
  });
});
