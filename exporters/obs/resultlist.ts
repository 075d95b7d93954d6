// Pure parser of GET /build/<project>/_result?view=summary: per repository and architecture,
// the repository's scheduler state and its package counts by status code.
import { intAttribute, ObsParseError, XmlStream } from './xml-stream.js';

export interface RepositoryResult {
  readonly project: string;
  readonly repository: string;
  readonly arch: string;
  /** Scheduler state, replaced by the publisher's state once finished (published, unpublished...). */
  readonly state: string;
  /** OBS marked the repository for re-scheduling: its state may be outdated. */
  readonly dirty: boolean;
  /** Package status code → number of packages (OBS omits codes with no package). */
  readonly packages: ReadonlyMap<string, number>;
}

/**
 * Reads a resultlist. Counts come from <summary><statuscount>; a reply without summaries
 * (a server ignoring view=summary) is counted from its per-package <status> rows instead.
 */
export function parseResultList(xml: string): RepositoryResult[] {
  const results: Array<{ project: string; repository: string; arch: string; state: string; dirty: boolean; summary: Map<string, number> | null; rows: Map<string, number> }> = [];
  const seen = new Set<string>();
  let current: (typeof results)[number] | null = null;
  const stream = new XmlStream('resultlist', {
    open(name, attrs, path) {
      const depth = path.length;
      if (depth === 1 && name === 'result') {
        const { project, repository, arch } = attrs;
        if (!project || !repository || !arch) throw new ObsParseError('<result> without project, repository or arch');
        const key = `${project}\u0000${repository}\u0000${arch}`;
        if (seen.has(key)) {
          current = null; // a repeated result would make duplicate series; the first wins
          return;
        }
        seen.add(key);
        current = { project, repository, arch, state: (attrs.code ?? attrs.state ?? '').trim() || 'unknown', dirty: attrs.dirty === 'true', summary: null, rows: new Map() };
        results.push(current);
        return;
      }
      if (!current) return;
      if (depth === 2 && name === 'summary') current.summary ??= new Map();
      else if (depth === 3 && name === 'statuscount' && path[2] === 'summary') {
        const code = attrs.code?.trim();
        if (!code) throw new ObsParseError(`<statuscount> without a code in ${current.repository}/${current.arch}`);
        const count = intAttribute(attrs, 'count', `<statuscount code="${code}"> in ${current.repository}/${current.arch}`);
        current.summary!.set(code, (current.summary!.get(code) ?? 0) + count);
      } else if (depth === 2 && name === 'status') {
        const code = attrs.code?.trim() || 'unknown';
        current.rows.set(code, (current.rows.get(code) ?? 0) + 1);
      }
    },
    close(name, path) {
      if (name === 'result' && path.length === 1) current = null;
    },
  });
  stream.write(xml);
  stream.end();
  return results.map((r) => ({
    project: r.project,
    repository: r.repository,
    arch: r.arch,
    state: r.state,
    dirty: r.dirty,
    packages: r.summary ?? r.rows,
  }));
}
