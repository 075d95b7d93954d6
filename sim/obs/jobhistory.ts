// Generates OBS job histories (<jobhistlist>) of any length for tests and the benchmark,
// with the generator's own count of jobs per worker and code, decided before any XML is
// written, so that what the exporter counts can be checked against something independent.

export interface GeneratedJob {
  package: string;
  /** Unique per generated job: OBS never rewrites a job's record. */
  rev: string;
  workerId: string;
  code: 'succeeded' | 'failed' | 'unchanged';
  startTime: number;
  endTime: number;
}

/** `count` jobs on `workers` workers (`host-<n>:<i>`, 4 per host) ending one per second after `firstEnd`. */
export function generateJobs(opts: { count: number; workers: number; firstEnd: number; seed?: number }): GeneratedJob[] {
  let seed = opts.seed ?? 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const jobs: GeneratedJob[] = [];
  for (let i = 0; i < opts.count; i++) {
    const worker = Math.floor(random() * opts.workers);
    const r = random();
    const code = r < 0.8 ? 'succeeded' : r < 0.95 ? 'failed' : 'unchanged';
    const duration = 30 + Math.floor(random() * 7200);
    const endTime = opts.firstEnd + i;
    jobs.push({ package: `pkg-${i % 5000}`, rev: `${opts.seed ?? 1}.${i}`, workerId: `host-${Math.floor(worker / 4)}:${worker % 4}`, code, startTime: endTime - duration, endTime });
  }
  return jobs;
}

/** The history document OBS would send for these jobs (oldest first, as OBS lists them). */
export function jobHistoryXml(jobs: readonly GeneratedJob[], hostarch = 'x86_64'): string {
  const rows = jobs.map(
 (j) =>
      `  <jobhist package="${j.package}" rev="${j.rev}" srcmd5="0" versrel="1.0-1" bcnt="1" readytime="${j.startTime}" starttime="${j.startTime}" endtime="${j.endTime}" code="${j.code}" uri="http://127.0.0.1:1" workerid="${j.workerId}" hostarch="${hostarch}" reason="new build" verifymd5="0" />\n`,
  );
  return `<jobhistlist>\n${rows.join('')}</jobhistlist>\n`;
}
