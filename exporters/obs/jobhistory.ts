// Pure parser of GET /build/<project>/<repository>/<arch>/_jobhistory: one record per finished
// job, with the worker that ran it, when it started and ended, and its result code.
import { DistinctLimit, intAttribute, ObsParseError, XmlStream } from './xml-stream.js';

/** Far above a `limit=` reply of a real instance, far below 16 MiB of hostile rows. */
export const JOB_HISTORY_LIMITS = {
  jobs: 100_000,
  workers: 50_000,
  codes: 32,
} as const;

export interface FinishedJob {
  readonly package: string;
  /** Identity of the job beyond its package: source revision and rebuild counter. */
  readonly rev: string;
  readonly bcnt: string;
  readonly workerId: string;
  readonly hostarch: string;
  /** succeeded, failed, unchanged, broken... as OBS wrote it. */
  readonly code: string;
  /** Unix seconds; 0 when OBS did not record it. */
  readonly startTime: number;
  readonly endTime: number;
}

/** Reads a <jobhistlist> chunk by chunk: write() each chunk, then end(). */
export class JobHistoryParser {
  private readonly jobs: FinishedJob[] = [];
  private readonly workers = new DistinctLimit('workers', JOB_HISTORY_LIMITS.workers);
  private readonly codes = new DistinctLimit('result codes', JOB_HISTORY_LIMITS.codes);
  private readonly xml = new XmlStream('jobhistlist', {
    open: (name, attrs, path) => {
      if (path.length !== 1 || name !== 'jobhist') return;
      if (this.jobs.length >= JOB_HISTORY_LIMITS.jobs) {
        throw new ObsParseError(`more than ${JOB_HISTORY_LIMITS.jobs} jobs in one job history (refused as hostile; ask for fewer with a smaller job_history_limit)`);
      }
      const where = `<jobhist package="${attrs.package ?? ''}">`;
      const code = attrs.code?.trim();
      if (!attrs.package || !code) throw new ObsParseError(`${where}: missing package or code`);
      this.jobs.push({
        package: attrs.package,
        rev: attrs.rev ?? '',
        bcnt: attrs.bcnt ?? '',
        workerId: this.workers.admit(attrs.workerid ?? ''),
        hostarch: attrs.hostarch ?? '',
        code: this.codes.admit(code),
        startTime: attrs.starttime === undefined ? 0 : intAttribute(attrs, 'starttime', where),
        endTime: intAttribute(attrs, 'endtime', where),
      });
    },
  });

  write(chunk: string): void {
    this.xml.write(chunk);
  }

  end(): FinishedJob[] {
    this.xml.end();
    return this.jobs;
  }
}

/** Parses a whole document at once: for tests and small replies. */
export function parseJobHistory(xml: string): FinishedJob[] {
  const parser = new JobHistoryParser();
  parser.write(xml);
  return parser.end();
}
