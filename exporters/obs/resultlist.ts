// Pure parser of GET /build/<project>/_result?view=summary: per repository and architecture,
// the repository's scheduler state and its package counts by status code.
import { DistinctLimit, intAttribute, ObsParseError, XmlStream } from './xml-stream.js';

/** Far above a big distribution project (openSUSE:Factory has a few dozen repository/arch pairs, OBS ~20 codes). */
export const RESULT_LIST_LIMITS = {
  repositories: 10_000,
  codes: 64,
} as const;

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

type PartialResult = { project: string; repository: string; arch: string; state: string; dirty: boolean; summary: Map<string, number> | null; rows: Map<string, number> };

/**
 * Reads a resultlist chunk by chunk (write() each chunk, then end()). Counts come from
 * <summary><statuscount>; a reply without summaries (a server ignoring view=summary) is
 * counted from its per-package <status> rows instead.
 */
export class ResultListParser {
  private readonly results: PartialResult[] = [];
  private readonly seen = new Set<string>();
  private readonly codes = new DistinctLimit('status codes', RESULT_LIST_LIMITS.codes);
  private current: PartialResult | null = null;
  private readonly xml = new XmlStream('resultlist', {
    open: (name, attrs, path) => this.open(name, attrs, path),
    close: (name, path) => {
      if (name === 'result' && path.length === 1) this.current = null;
    },
  });

  write(chunk: string): void {
    this.xml.write(chunk);
  }

  end(): RepositoryResult[] {
    this.xml.end();
    return this.results.map((r) => ({
      project: r.project,
      repository: r.repository,
      arch: r.arch,
      state: r.state,
      dirty: r.dirty,
      packages: r.summary ?? r.rows,
    }));
  }

  private open(name: string, attrs: Readonly<Record<string, string>>, path: readonly string[]): void {
    const depth = path.length;
    if (depth === 1 && name === 'result') {
      const { project, repository, arch } = attrs;
      if (!project || !repository || !arch) throw new ObsParseError('<result> without project, repository or arch');
      const key = `${project}\u0000${repository}\u0000${arch}`;
      if (this.seen.has(key)) {
        this.current = null; // a repeated result would make duplicate series; the first wins
        return;
      }
      if (this.seen.size >= RESULT_LIST_LIMITS.repositories) {
        throw new ObsParseError(`more than ${RESULT_LIST_LIMITS.repositories} repository/arch results in one document (refused as hostile; the limits are documented in docs/collectors/obs.md)`);
      }
      this.seen.add(key);
      this.current = { project, repository, arch, state: (attrs.code ?? attrs.state ?? '').trim() || 'unknown', dirty: attrs.dirty === 'true', summary: null, rows: new Map() };
      this.results.push(this.current);
      return;
    }
    const current = this.current;
    if (!current) return;
    if (depth === 2 && name === 'summary') current.summary ??= new Map();
    else if (depth === 3 && name === 'statuscount' && path[2] === 'summary') {
      const code = attrs.code?.trim();
      if (!code) throw new ObsParseError(`<statuscount> without a code in ${current.repository}/${current.arch}`);
      const count = intAttribute(attrs, 'count', `<statuscount code="${code}"> in ${current.repository}/${current.arch}`);
      this.codes.admit(code);
      current.summary!.set(code, (current.summary!.get(code) ?? 0) + count);
    } else if (depth === 2 && name === 'status') {
      const code = this.codes.admit(attrs.code?.trim() || 'unknown');
      current.rows.set(code, (current.rows.get(code) ?? 0) + 1);
    }
  }
}

/** Parses a whole document at once: for tests and small replies. */
export function parseResultList(xml: string): RepositoryResult[] {
  const parser = new ResultListParser();
  parser.write(xml);
  return parser.end();
}
