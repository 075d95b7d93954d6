// Tiny Debian binary packages built with dpkg-deb, for putting into a real OBS repository
// (a dependency that resolves without downloading anything).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DebSpec {
  name: string;
  version?: string;
  /** The source package it claims to come from: OBS maps it to the project's package of that name. */
  source?: string;
  architecture?: string;
}

/** Builds an empty .deb (control file only) and returns its bytes. */
export function buildDeb(spec: DebSpec): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'headroom-deb-'));
  try {
    const root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
    writeFileSync(
      path.join(root, 'DEBIAN', 'control'),
      [
        `Package: ${spec.name}`,
        `Source: ${spec.source ?? spec.name}`,
        `Version: ${spec.version ?? '1.0-1'}`,
        `Architecture: ${spec.architecture ?? 'all'}`,
        'Maintainer: headroom tests <headroom@localhost>',
        `Description: ${spec.name}, an empty package for OBS tests`,
        '',
      ].join('\n'),
    );
    const out = path.join(dir, `${spec.name}.deb`);
    const r = spawnSync('dpkg-deb', ['--root-owner-group', '--build', root, out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`dpkg-deb --build failed: ${r.error?.message ?? r.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
