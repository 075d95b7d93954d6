// The pure parts of sim/real-obs/debian-buildenv.ts, on apt and dpkg-deb output captured here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anyQualifiedDeps, debianProjectConfig, defaultBuildenvCache, parsePrintUris } from '../../sim/real-obs/debian-buildenv.js';

describe('Debian build environment helpers', () => {
  it('reads apt-get --print-uris lines, with and without a hash', () => {
    const text = readFileSync(new URL('../fixtures/apt/print-uris.txt', import.meta.url), 'utf8');
    expect(parsePrintUris(text)).toEqual([
      { name: 'gcc-12-base', file: 'gcc-12-base_12.2.0-14+deb12u1_amd64.deb', size: 37596 },
      { name: 'libc6', file: 'libc6_2.36-9+deb12u14_amd64.deb', size: 2759320 },
      { name: 'liblzma5', file: 'liblzma5_5.4.1-1+deb12u2_amd64.deb', size: 205796 },
    ]);
    expect(() => parsePrintUris('E: Unable to locate package nope\n')).toThrow(/unexpected apt --print-uris line/);
  });

  it('finds the :any dependencies of a package (dpkg-dev 1.21.23 fields)', () => {
    const fields = 'Depends: perl:any, libdpkg-perl (= 1.21.23), tar (>= 1.28-1), bzip2, xz-utils (>= 5.4.0), patch (>= 2.7), make, binutils\n';
    expect(anyQualifiedDeps('dpkg-dev', fields)).toEqual([{ package: 'dpkg-dev', dependency: 'perl' }]);
    expect(anyQualifiedDeps('bc', 'Depends: libc6 (>= 2.34), libreadline8 (>= 6.0)\n')).toEqual([]);
  });

  it('writes a dsc project config that requires and ignores what the :any dependencies need', () => {
    const config = debianProjectConfig(['bash', 'dpkg'], [{ package: 'dpkg-dev', dependency: 'perl' }], ['dpkg-dev']);
    const lines = config.split('\n');
    expect(lines).toContain('Type: dsc');
    expect(lines).toContain('Preinstall: bash dpkg');
    expect(lines).toContain('Required: dpkg-dev perl');
    expect(lines.find((l) => l.startsWith('Ignore:'))).toMatch(/ dpkg-dev:perl:any$/);
  });

  it('keeps downloads under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultBuildenvCache({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/headroom/obs-debian-buildenv');
    expect(defaultBuildenvCache({ HOME: '/h' })).toBe('/h/.cache/headroom/obs-debian-buildenv');
  });
});
