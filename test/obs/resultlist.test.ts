import { describe, expect, it } from 'vitest';
import { parseResultList } from '../../exporters/obs/resultlist.js';
import { ObsParseError } from '../../exporters/obs/xml-stream.js';
import { fixture, obj } from './helpers.js';

describe('result list parser', () => {
  it('reads the openSUSE:Factory view=summary reply (api.opensuse.org, 2020)', () => {
    const results = parseResultList(fixture('resultlist.api-opensuse-org-2020.openSUSE_Factory.view-summary.xml'));
    expect(results).toHaveLength(13);
    const at = (repository: string, arch: string) => results.find((r) => r.repository === repository && r.arch === arch)!;
    expect(at('standard', 'x86_64').state).toBe('published');
    expect(obj(at('standard', 'x86_64').packages)).toEqual({ succeeded: 14099, failed: 135, unresolvable: 36, disabled: 4, excluded: 370 });
    expect(at('standard', 'i586').state).toBe('building');
    expect(obj(at('standard', 'i586').packages)).toEqual({ succeeded: 13753, failed: 136, unresolvable: 74, building: 1, disabled: 5, excluded: 675 });
    expect(at('snapshot', 'i586').state).toBe('unpublished');
    expect(obj(at('ports', 'armv6l').packages)).toEqual({ disabled: 14644 });
    expect(at('images', 'local').state).toBe('blocked');
    expect(obj(at('images', 'local').packages)).toEqual({ succeeded: 4, failed: 3, blocked: 1, disabled: 5, excluded: 14631 });
    expect(results.every((r) => r.project === 'openSUSE:Factory' && !r.dirty)).toBe(true);
  });

  it('counts per-package rows when a server sends no summary (documentation example)', () => {
    const results = parseResultList(fixture('resultlist.docs-example.xml'));
    expect(results.map((r) => [r.repository, r.arch, r.state])).toEqual([
      ['openSUSE_11.3', 'i586', 'published'],
      ['openSUSE_11.3', 'ppc', 'unknown'],
      ['openSUSE_11.3', 'x86_64', 'building'],
    ]);
    expect(obj(results[0]!.packages)).toEqual({ failed: 1, excluded: 1, succeeded: 2, disabled: 1, unresolvable: 1 });
    expect(results[1]!.packages.size).toBe(0);
    expect(obj(results[2]!.packages)).toEqual({ failed: 1, succeeded: 1, building: 1, blocked: 1, disabled: 1, unresolvable: 1 });
  });

  it('reads dirty flags', () => {
    const results = parseResultList(fixture('resultlist.api-opensuse-org-2020.devel_tools.package-ccls.xml'));
    expect(results).toHaveLength(25);
    const tw = results.filter((r) => r.repository === 'openSUSE_Tumbleweed');
    expect(tw.map((r) => [r.arch, r.state, r.dirty])).toEqual([
      ['i586', 'published', false],
      ['x86_64', 'building', true],
    ]);
    expect(results.filter((r) => r.dirty)).toHaveLength(7);
  });

  it('rejects what is not a result list', () => {
    expect(() => parseResultList('<status code="unknown_project"><summary>Project not found</summary></status>')).toThrow(ObsParseError);
    expect(() => parseResultList('<resultlist><result project="p" repository="r" arch="x"><summary><statuscount code="failed" count="-1"/></summary></result></resultlist>')).toThrow(/not a whole number/);
    expect(() => parseResultList('<resultlist><result')).toThrow(ObsParseError);
  });
});
