// Pure parser of GET /build/<project>/_result?code=scheduled: which repositories the project
// has, and which scheduled packages no worker can take, by the reason the dispatcher wrote in
// their details ("no compliant workers", "waiting for N compliant workers (M of them down)").
import { ObsParseError, XmlStream } from './xml-stream.js';

/** Reason classes, from the dispatcher's wording. */
export type StarvedReason = 'no_compliant_workers' | 'compliant_workers_down' | 'compliant_workers_busy';

export interface ProjectRepository {
  readonly project: string;
  readonly repository: string;
  readonly arch: string;
}

export interface ScheduledSummary {
  readonly repositories: readonly ProjectRepository[];
  /** `arch\0reason` → scheduled packages that wait for that reason. */
  readonly starved: ReadonlyMap<string, number>;
}

/** Far above a distribution project (openSUSE:Factory has a few dozen repository/arch pairs). */
const MAX_REPOSITORIES = 10_000;
/** Details are one line from the dispatcher or scheduler; more is not a reason. */
const MAX_DETAILS_CHARS = 1024;

/** The reason class of a scheduled package's details, or null if it is not starved. */
export function starvedReason(details: string): StarvedReason | null {
  if (/\bno compliant workers\b/.test(details)) return 'no_compliant_workers';
  const m = /\bwaiting for (\d+) compliant workers?(?: \((\d+) of them down\))?/.exec(details);
  if (!m) return null;
  const wanted = Number(m[1]);
  const down = m[2] === undefined ? 0 : Number(m[2]);
  return down >= wanted ? 'compliant_workers_down' : 'compliant_workers_busy';
}

export class ScheduledResultParser {
  private readonly repositories: ProjectRepository[] = [];
  private readonly starved = new Map<string, number>();
  private arch: string | null = null;
  private details: string | null = null;
  private scheduled = false;
  private readonly xml = new XmlStream('resultlist', {
    open: (name, attrs, path) => {
      if (path.length === 1 && name === 'result') {
        const { project, repository, arch } = attrs;
        if (!project || !repository || !arch) throw new ObsParseError('<result> without project, repository or arch');
        if (this.repositories.length >= MAX_REPOSITORIES) throw new ObsParseError(`more than ${MAX_REPOSITORIES} repository/arch results in one document (refused as hostile)`);
        this.repositories.push({ project, repository, arch });
        this.arch = arch;
      } else if (path.length === 2 && name === 'status') {
        this.scheduled = attrs.code === 'scheduled';
        this.details = '';
      }
    },
    text: (text, path) => {
      if (this.details === null || path.length !== 4 || path[3] !== 'details') return;
      if (this.details.length + text.length > MAX_DETAILS_CHARS) throw new ObsParseError(`<details> longer than ${MAX_DETAILS_CHARS} characters (refused as hostile)`);
      this.details += text;
    },
    close: (name, path) => {
      if (name === 'status' && path.length === 2) {
        const reason = this.scheduled && this.details !== null ? starvedReason(this.details) : null;
        // Reasons are a closed set, and arches come from this document's <result>s only.
        if (reason && this.arch) add(this.starved, `${this.arch}\u0000${reason}`);
        this.details = null;
      } else if (name === 'result' && path.length === 1) this.arch = null;
    },
  });

  write(chunk: string): void {
    this.xml.write(chunk);
  }

  end(): ScheduledSummary {
    this.xml.end();
    return { repositories: this.repositories, starved: this.starved };
  }
}

/** Parses a whole document at once: for tests and small replies. */
export function parseScheduledResult(xml: string): ScheduledSummary {
  const parser = new ScheduledResultParser();
  parser.write(xml);
  return parser.end();
}

function add(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
